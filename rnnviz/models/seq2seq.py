r"""EncoderDecoder: a bidirectional GRU encoder and a GRU-cell decoder, with additive attention or without.

Symbols:
    x_1..x_S   the input tokens, embedded                                        [S, E]
    h_j        encoder state at token j: a bidirectional GRU's two states,
               forward (tokens 1..j) and backward (tokens j..S), side by side   [2H]
    s_i        decoder state before output token i (a GRU cell)                  [H]
    y_i        output token i (an id of the output vocabulary, or the end mark)

.. math::
    s_0          = \tanh(W_0 [\overrightarrow{h}_S ; \overleftarrow{h}_1])      (the final encoder states)
    e_{ij}       = v^\top \tanh(W_a s_{i-1} + U_a h_j)                           (additive score)
    \alpha_{ij}  = \exp(e_{ij}) / \sum_{k=1}^{S} \exp(e_{ik})                   (sums to 1 over the input)
    c_i          = \sum_j \alpha_{ij} h_j                                        (context for token i)
    s_i          = \mathrm{GRUCell}([\mathrm{emb}(y_{i-1}) ; c_i], s_{i-1})
    p(y_i)       = \mathrm{softmax}(W_o [s_i ; c_i] + b_o)

(Bahdanau, Cho & Bengio 2015.) Without attention the same network uses one fixed context for every token,
c_i = [\overrightarrow{h}_S ; \overleftarrow{h}_1] (Cho et al. 2014).

Ids: the input and the output vocabularies both keep id 0 for padding (``PAD``); the output vocabulary keeps
1 for the start mark fed before the first token (``SOS``) and 2 for the end mark (``EOS``). Training feeds
the true previous token (teacher forcing, :meth:`EncoderDecoder.forward`, :func:`teacher_forced_loss`);
answering feeds the model's own previous token and takes the likeliest each step (:meth:`greedy`).

Used by the Translate page (number words in, digits or German letters out:
:class:`rnnviz.language.translate.Translator`) and the Chat page (a message's words in, a reply's words out:
:mod:`rnnviz.language.chat`).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .recurrent import INIT_LOCK

PAD, SOS, EOS = 0, 1, 2


class EncoderDecoder(nn.Module):
    """Bidirectional GRU encoder -> GRU-cell decoder with additive attention (or a fixed context when
    ``attention`` is False; the attention layers then exist but are unused).

    Sizes: ``src_size`` and ``tgt_size`` tokens in the input and output vocabularies (ids as in the module's
    docstring), H = ``hidden`` units per encoder direction and in the decoder, E = ``embed`` numbers per
    token; ``max_out``: at most this many tokens written by :meth:`greedy` (the end mark included)."""

    def __init__(self, src_size: int, tgt_size: int, hidden: int, embed: int, attention: bool, seed: int = 0, max_out: int = 20):
        super().__init__()
        H, E, V = int(hidden), int(embed), int(tgt_size)
        self.attention, self.max_out = bool(attention), int(max_out)
        with INIT_LOCK, torch.random.fork_rng(devices=[]):  # the global generator: one model at a time
            torch.manual_seed(seed)
            self.src_embed = nn.Embedding(int(src_size), E, padding_idx=PAD)
            self.encoder = nn.GRU(E, H, batch_first=True, bidirectional=True)
            self.init = nn.Linear(2 * H, H)  # W_0
            self.tgt_embed = nn.Embedding(V, E, padding_idx=PAD)
            self.attn_s = nn.Linear(H, H, bias=False)  # W_a
            self.attn_h = nn.Linear(2 * H, H)  # U_a
            self.attn_v = nn.Linear(H, 1, bias=False)  # v
            self.decoder = nn.GRUCell(E + 2 * H, H)
            self.out = nn.Linear(3 * H, V)  # W_o on [s_i ; c_i]

    def encode(self, src: torch.Tensor, src_len: torch.Tensor):
        """-> states h_j [B, S, 2H], final [B, 2H], mask [B, S] (True at real tokens)."""
        packed = nn.utils.rnn.pack_padded_sequence(self.src_embed(src), src_len.cpu(), batch_first=True, enforce_sorted=False)
        out, h_n = self.encoder(packed)  # h_n [2, B, H]: forward after the last token, backward after the first
        states, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        final = torch.cat([h_n[0], h_n[1]], dim=-1)  # [B, 2H]
        return states, final, src != PAD

    def _advance(self, prev, s, states, keys, final, mask):
        """One decoder step without its readout: -> [s_i ; c_i] [B, 3H], new state s_i [B, H], alpha [B, S] (or None)."""
        if self.attention:
            e = self.attn_v(torch.tanh(self.attn_s(s).unsqueeze(1) + keys)).squeeze(-1)  # [B, S]
            alpha = torch.softmax(e.masked_fill(~mask, float("-inf")), dim=-1)
            context = (alpha.unsqueeze(-1) * states).sum(1)  # [B, 2H]
        else:
            alpha, context = None, final
        s = self.decoder(torch.cat([self.tgt_embed(prev), context], dim=-1), s)
        return torch.cat([s, context], dim=-1), s, alpha

    def _step(self, prev, s, states, keys, final, mask):
        """One decoder step: -> logits [B, V], new state [B, H], alpha [B, S] (or None)."""
        both, s, alpha = self._advance(prev, s, states, keys, final, mask)
        return self.out(both), s, alpha

    def _start(self, src, src_len):
        states, final, mask = self.encode(src, src_len)
        keys = self.attn_h(states) if self.attention else None  # U_a h_j, once per input
        return states, keys, final, mask, torch.tanh(self.init(final))

    def forward(self, src, src_len, tgt_in) -> torch.Tensor:
        """Teacher forcing: logits [B, T, V] for each next token given the true previous ones. The readout W_o
        runs once over all T steps after the loop (one large product instead of T small ones and T gradient sums:
        a large output vocabulary's cost)."""
        return self.out(self.features(src, src_len, tgt_in))  # [B, T, 3H] -> [B, T, V]

    def features(self, src, src_len, tgt_in) -> torch.Tensor:
        """Teacher forcing up to the readout: [s_i ; c_i] [B, T, 3H] at every output step (``self.out`` of it
        is :meth:`forward`; a loss over a large vocabulary may read out only the steps that count)."""
        states, keys, final, mask, s = self._start(src, src_len)
        both = []
        for prev in tgt_in.unbind(1):
            b, s, _ = self._advance(prev, s, states, keys, final, mask)
            both.append(b)
        return torch.stack(both, 1)

    @torch.no_grad()
    def greedy(self, src, src_len, max_len: int | None = None):
        """Greedy decoding: tokens [B, T] (ids, PAD after the end mark) and alpha [B, T, S]
        (zeros for the model without attention); at most max_len tokens (default ``max_out``)."""
        max_len = self.max_out if max_len is None else max_len
        states, keys, final, mask, s = self._start(src, src_len)
        B, S = src.shape
        prev = torch.full((B,), SOS, dtype=torch.long)
        done = torch.zeros(B, dtype=torch.bool)
        tokens, alphas = [], []
        for _ in range(max_len):
            lg, s, alpha = self._step(prev, s, states, keys, final, mask)
            prev = lg.argmax(-1)
            tokens.append(torch.where(done, torch.full_like(prev, PAD), prev))
            alphas.append(torch.zeros(B, S) if alpha is None else alpha * (~done).unsqueeze(-1))
            done |= prev == EOS
            if done.all():
                break
        return torch.stack(tokens, 1), torch.stack(alphas, 1)


def teacher_forced_loss(model: EncoderDecoder, src, src_len, tgt_in, tgt_out) -> tuple[torch.Tensor, torch.Tensor]:
    """(logits [B, T, V] with teacher forcing, mean cross-entropy over the target tokens that are not padding)."""
    logits = model(src, src_len, tgt_in)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1), ignore_index=PAD)
    return logits, loss


__all__ = ["EOS", "PAD", "SOS", "EncoderDecoder", "teacher_forced_loss"]
