"""The package's layering, read from its own source with ``ast`` (a consistency check).

Data flows one way (DESIGN.md section 5): each module imports only modules of its own
layer or of the layers below, ``analysis`` and ``oracles`` never import each other (so each
can check the other), and no import circle exists, counting imports made inside functions.
"""
import ast
import pathlib


import stabgan

ROOT = pathlib.Path(stabgan.__file__).parent

#: Layer of each top-level module or subpackage: a module may import its own layer and below.
LAYERS = {
    "_symbols": 0, "_errors": 0,
    "_options": 1, "_printing": 1, "_mathtext": 1, "_text": 1, "_executor": 1,
    "codegen": 2,
    "model": 3,
    "schemes": 4,
    "analysis": 5, "oracles": 5,
    "lemmas": 6, "dynamics": 6,
    "report": 7,
    "_cli": 8, "explore": 8, "__init__": 8, "__main__": 9,
}
#: Pairs of the same layer that must not import each other.
SIBLINGS = {("analysis", "oracles"), ("oracles", "analysis")}


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        yield ".".join(parts), path


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    """Absolute names (below ``stabgan``) that ``node`` imports."""
    if node.level == 0:
        if not (node.module or "").startswith("stabgan"):
            return []
        base = node.module.split(".")[1:]
    else:
        here = module.split(".")
        package = here if is_package else here[:-1]
        base = package[:len(package) - (node.level - 1)]
        if node.module:
            base = base + node.module.split(".")
    if node.module is None or node.level and not node.module:
        # ``from . import x``: each name is a module
        return [".".join(base + [a.name]) for a in node.names]
    return [".".join(base)]


def _imports():
    """(importer, imported) for every stabgan import in the package, at any depth."""
    out = []
    for module, path in _modules():
        is_package = path.name == "__init__.py"
        if is_package:
            module = module.rsplit(".", 1)[0] if "." in module else "__init__"
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                out += [(module, t) for t in _resolve(module, is_package, node) if t]
            elif isinstance(node, ast.Import):
                out += [(module, a.name.split(".", 1)[1]) for a in node.names
                        if a.name.startswith("stabgan.")]
    return out


def _top(name: str) -> str:
    return name.split(".")[0]


def test_every_module_has_a_layer():
    assert {_top(m) for m, _ in _modules()} <= set(LAYERS)


def _upward(imports):
    return [(a, b) for a, b in imports if _top(b) in LAYERS and LAYERS[_top(b)] > LAYERS[_top(a)]]


def _crossing(imports):
    return [(a, b) for a, b in imports if (_top(a), _top(b)) in SIBLINGS]


def _circles(imports, modules):
    """Strongly connected components of more than one module (Tarjan)."""
    graph: dict[str, set] = {}
    for a, b in imports:
        # ``from .x import name`` names module x, or a name defined in package x
        target = b if b in modules else b.rsplit(".", 1)[0]
        if target in modules and target != a:
            graph.setdefault(a, set()).add(target)
    index, low, stack, on, circles = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return circles


MODULES = {m.replace(".__init__", "") for m, _ in _modules()}


def test_no_import_runs_upward():
    assert _upward(_imports()) == []


def test_analysis_and_oracles_are_independent():
    assert _crossing(_imports()) == []


def test_no_import_circle():
    assert _circles(_imports(), MODULES) == []


def test_the_checks_see_a_planted_violation():
    """The checks are not vacuous: planted imports are caught."""
    real = _imports()
    assert _upward(real + [("codegen.kernels", "model.method")]) == [("codegen.kernels",
                                                                      "model.method")]
    assert _crossing(real + [("analysis.maps", "oracles.simulate")]) != []
    circle = _circles(real + [("model.catalogue", "model.method")], MODULES)
    assert circle == [["model.catalogue", "model.method"]]
