"""The neuron layer: training data (data.py), the model and its training.

Only commands that train or score a model import this package (it needs numpy at import),
so nothing here is imported by the package's top level.
"""
