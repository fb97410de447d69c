"""The seeded synthetic bank-CRM world behind the bundled data, with its recorded ground truth.

>>> from bankcrm_research.simulate import simulate_world
>>> world = simulate_world(seed=20130613)          # doctest: +SKIP
>>> world["customers"].shape, world.truth["loyalty"]["satisfaction_log_hr"]   # doctest: +SKIP

Everything generated here is SIMULATED. ``write_world(out)`` writes the files of ``data/``.
"""

from bankcrm_research.simulate._common import DEFAULT_SEED
from bankcrm_research.simulate.world import FILES, TABLES, World, simulate_world, write_world

__all__ = ["DEFAULT_SEED", "FILES", "TABLES", "World", "simulate_world", "write_world"]
