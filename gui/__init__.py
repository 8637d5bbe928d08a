"""Backprop Lab's Qt views: they show the engine's numbers and never compute them."""
