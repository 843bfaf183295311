"""The training loop the Music and Sounds models share: one Adam step on a batch's loss with the
gradient clipped at 1, the losses kept, and ``run(steps)`` with a progress callback."""

from __future__ import annotations

import torch

from ..errors import ConfigError


class StepLoop:
    """Mixin for a trainer with ``model``, ``opt``, ``step``, ``losses`` and ``batch_loss()``."""

    MAX_STEPS = 20000

    def batch_loss(self) -> torch.Tensor:  # the next training batch's loss, the model in train mode
        raise NotImplementedError

    def train_step(self) -> float:
        self.model.train()
        loss = self.batch_loss()
        self.opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.opt.step()
        self.step += 1
        v = float(loss.detach())
        self.losses.append(v)
        return v

    def run(self, steps: int, progress=None, every: int = 25) -> None:
        """Train for ``steps`` steps; ``progress(done, steps, loss)`` is called every ``every`` steps."""
        lo, hi = 0, self.MAX_STEPS
        if not isinstance(steps, int) or not lo <= steps <= hi:
            raise ConfigError(f"steps must be an integer from {lo} to {hi}, got {steps!r}")
        torch.set_num_threads(1)
        for k in range(steps):
            loss = self.train_step()
            if progress and ((k + 1) % every == 0 or k + 1 == steps):
                progress(k + 1, steps, loss)
