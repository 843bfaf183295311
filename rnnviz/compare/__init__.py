"""The Compare lab: RNN, LSTM, GRU, a causal CNN, a Transformer and a GRU with attention measured side by side.

Modules: `race` (several models on the same batches, in turns, through the shared training path),
`sweep` (solved against sequence length and data size; the `python -m rnnviz compare` command), `speed`
(training step time against T, the cost of one new step when streaming, the GRU kernel).
"""
