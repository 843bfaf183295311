"""Real data that ships offline: corpora, time series and tunes. Each loader returns arrays (or text)
together with where the data comes from and its licence; nothing is downloaded at run time."""
