"""The built-in text for the character-level language model. Written for rnnviz; public domain."""

TEXT = """\
a small robot kept a notebook by the window. every morning it wrote down the weather, the
colour of the sky and the number of birds on the fence. on sunny days it wrote: the sky is
blue and the birds are singing. on rainy days it wrote: the sky is grey and the birds are
hiding. the robot read its notebook every evening, one letter at a time, and tried to guess
the next letter before it saw it. at first every guess was wrong. then it learned that a
space often follows a word, that the letter q is rare, and that the sky is either blue or
grey. later it learned whole words: sky, blue, grey, birds, singing, hiding. it never saw
the whole page at once. it only carried a small memory from one letter to the next, and that
memory was enough to remember that a sentence about rain should end with hiding and a
sentence about sun should end with singing. the robot was proud of its memory, but it also
knew its limits. when a sentence grew long, the start of it faded, like footsteps in sand.
so it built a better memory with gates: one gate to forget, one gate to write, and one gate
to read. with the gates it could hold a word for a long time and let go of it when the
sentence was over. the birds did not care about any of this. they sang when it was sunny
and hid when it rained, and the robot wrote it all down.
"""
