"""The data and files: MNIST and other labelled images, their download and preprocessing,
the learner's digits, model files and atomic saves.
"""
