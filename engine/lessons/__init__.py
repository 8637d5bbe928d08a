"""The lessons' computations: the explorer's steps, the descent pictures, the step story,
Teach it, insight and the experiments.
"""
