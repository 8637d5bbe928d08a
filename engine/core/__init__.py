"""The math: the network, its activations and costs, backprop (fast and reference),
gradient checks and the SGD trainer.
"""
