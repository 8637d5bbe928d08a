"""The run: the network in training and its worker thread, snapshots, history, replay,
kept runs, interrupts and streams, and what went wrong with a run.
"""
