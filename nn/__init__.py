"""nn: a Keras-style library (layers, losses, optimizers, Sequential) built on autograd_lite."""
