# The role tests' small world (one cycle in rendicontazione, one approved, the three roles).
from tests.ruoli.conftest import _mondo_del_modulo, mondo  # noqa: F401
