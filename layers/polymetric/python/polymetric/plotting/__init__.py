"""Drawing charts to images: pure (a ``models.snapshot.Plot`` in, PNG bytes out). Only the snapshot renderer
imports it, from the PlottingLayer, so matplotlib never weighs on the API functions' cold starts."""
