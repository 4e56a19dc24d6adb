"""The serving engine: model-server processes per deployed model, autoscaling, the predictors
they load, the loopback client that reaches them, and the prediction measurements."""
