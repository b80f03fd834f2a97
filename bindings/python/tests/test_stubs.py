"""The type stubs (bindings/python/nudge.pyi, installed beside the module) name exactly the
module's public API: every public attribute of the module, and every public member of each
class, and nothing the module lacks."""

import ast
import pathlib

import nudge

STUB = pathlib.Path(__file__).resolve().parents[1] / "nudge.pyi"


def public(names):
    return {n for n in names if not n.startswith("_")}


def defined(body):
    """The names a stub's module or class body defines."""
    names = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def stub_classes():
    tree = ast.parse(STUB.read_text(encoding="utf-8"), filename=str(STUB))
    return {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}, tree


def class_names(name, classes):
    """A stub class's names with those it inherits from the stub's other classes."""
    node = classes[name]
    names = defined(node.body)
    for base in node.bases:
        if isinstance(base, ast.Name) and base.id in classes:
            names |= class_names(base.id, classes)
    return names


def test_the_stub_names_every_public_attribute_of_the_module():
    _, tree = stub_classes()
    in_stub = public(defined(tree.body))
    in_module = public(dir(nudge))
    assert sorted(in_module - in_stub) == [], "public names the stub lacks"
    assert sorted(in_stub - in_module) == [], "names in the stub the module lacks"


def raised_flow_error():
    try:
        nudge.compile("flow broken\nstate a {\n  after 1h -> nowhere\n}\n")
    except nudge.FlowError as e:
        return e
    raise AssertionError("a broken flow compiled")


def test_the_stub_names_every_public_member_of_each_class():
    classes, _ = stub_classes()
    assert len(classes) > 20
    # An exception's attributes are set when it is raised: read them from a raised one.
    instances = {"FlowError": raised_flow_error()}
    for name in classes:
        cls = getattr(nudge, name)
        members = public(dir(instances.get(name, cls)))
        if issubclass(cls, BaseException):
            members -= public(dir(RuntimeError))
        in_stub = public(class_names(name, classes))
        if issubclass(cls, BaseException):
            in_stub -= public(dir(RuntimeError))
        assert sorted(members - in_stub) == [], f"members of {name} the stub lacks"
        assert sorted(in_stub - members) == [], f"members of {name} in the stub the class lacks"


def test_the_stub_gives_every_function_and_method_a_return_type():
    _, tree = stub_classes()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            assert node.returns is not None, f"{node.name} (line {node.lineno}) has no return type"
