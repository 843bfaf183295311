"""Signals: forecasting real time series against a statistician's baselines, melodies, and sounds
recognised frame by frame."""
