"""Sentence vectors from a model on this machine: the embedding model shipped in a wheel (wordllama) or a user's
own folder, loaded so that nothing is ever downloaded, and the on-disk cache of the vectors of a data set's texts
(beside the feature cache)."""
