"""Language: the character model that generates text and shows context in its hidden state, the
sentiment reader, and translation with attention (a GRU encoder-decoder)."""
