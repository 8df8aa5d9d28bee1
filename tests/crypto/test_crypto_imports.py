import ast
import subprocess
import sys
from pathlib import Path

import pytest

CRYPTO_DIR = Path(__file__).resolve().parents[2] / "crypto"
DECRYPTING = [
    "crypto.opening",
    "crypto.unwrapping",
    "crypto.kdf",
    "crypto.wrapping",
    "crypto.key_unlocking",
]


def loaded_modules(*imports: str) -> set[str]:
    code = "import sys\n"
    code += "".join(f"import {name}\n" for name in imports)
    code += "print('\\n'.join(sorted(sys.modules)))\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return set(result.stdout.split())


def test_import_crypto_loads_nothing_that_decrypts() -> None:
    loaded = loaded_modules("crypto")
    assert "crypto" in loaded
    assert not set(DECRYPTING) & loaded


def test_public_app_modules_do_not_pull_in_decryption() -> None:
    loaded = loaded_modules(
        "crypto.sealing", "crypto.codes", "crypto.receipts", "crypto.keys", "crypto.errors"
    )
    assert "crypto.receipts" in loaded
    assert not set(DECRYPTING) & loaded


def test_crypto_init_is_empty_apart_from_its_docstring() -> None:
    tree = ast.parse((CRYPTO_DIR / "__init__.py").read_text(encoding="utf-8"))
    assert len(tree.body) == 1
    assert isinstance(tree.body[0], ast.Expr)
    assert ast.get_docstring(tree)


@pytest.mark.parametrize("path", sorted(CRYPTO_DIR.glob("*.py")), ids=lambda p: p.name)
def test_crypto_imports_nothing_of_ours(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    roots = {name.split(".")[0] for name in imported}
    assert not roots & {"intake_web", "triage", "utvag", "flask", "sqlalchemy"}
