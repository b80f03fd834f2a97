#!/usr/bin/env python3
"""Large generated .flow files for timing `nudge check` (issue 16).

    gen_flow.py SHAPE N [-o FILE]

SHAPE (N counts the repeated part):
  unreachable  N states nobody can reach (each waits `on e` for the final, written last): N
               unreachable-state errors, of which 100 are shown
  finals       N final states nobody can reach: N unreachable-final warnings
  chain        N states in a line, each leaving `after 1h` for the next
  wide         one state with N `on reply` routes, each with its own keyword set
  decls        N declarations: windows, templates and keyword sets in turn, each used once
  choices      N states in a line, each choosing (`if ok`, `else`) between the next and the end

The text is as short as the grammar allows (names of 1-3 characters, no spaces around `{`,
`}`, `->`, `=`) so that as many states as possible fit under the 2 MiB limit of a flow file
(`too-large`): 100,000 states fit for `unreachable` and `finals`; the others fit up to the
sizes `--max-fitting` prints.
"""
import argparse
import sys

FIRST = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
REST = FIRST + "0123456789_"
# Words that mean something where a name may stand: never used as generated names.
TAKEN = {"and", "or", "not", "in", "true", "false", "restart", "inbox", "other", "any", "e",
         "ok", "z", "s", "y", "if", "on", "at", "do", "to", "sms", "mon", "sun"}


def names():
    """Short distinct names: a..Z, then two and three characters."""
    for a in FIRST:
        if a not in TAKEN:
            yield a
    for a in FIRST:
        for b in REST:
            if a + b not in TAKEN:
                yield a + b
    for a in FIRST:
        for b in REST:
            for c in REST:
                if a + b + c not in TAKEN:
                    yield a + b + c


def take(n):
    out = []
    for name in names():
        if len(out) == n:
            break
        out.append(name)
    if len(out) < n:
        sys.exit(f"gen_flow.py: at most {len(out)} names")
    return out


HEAD = """flow big
field p:phone
field ok:bool
channel sms to p from "4790000000"
trigger go as p{start s}
"""


def unreachable(n):
    # The final comes last: finding it by name from every state costs the whole list when
    # names are looked up by a scan.
    body = ["state s{on e->z}"]
    body += [f"state {x}{{on e->z}}" for x in take(n)]
    body.append("final z")
    return HEAD + "\n".join(body) + "\n"


def finals(n):
    body = ["state s{on e->z}", "final z"]
    body += [f"final {x}" for x in take(n)]
    return HEAD + "\n".join(body) + "\n"


def chain(n):
    xs = take(n)
    body = ["state s{send sms \"hi\" after 1h->%s}" % xs[0]]
    body += [f"state {a}{{after 1h->{b}}}" for a, b in zip(xs, xs[1:])]
    body.append(f"final {xs[-1]}")
    return HEAD + "\n".join(body) + "\n"


def wide(n):
    xs = take(n)
    # Words are folded (case) before they are compared: numbered ones never clash.
    sets = [f'keywords {x}="w{i}"' for i, x in enumerate(xs)]
    routes = [f"on reply {x}->z" for x in xs]
    return (HEAD + "\n".join(sets) + "\nstate s{send sms \"hi\"\n" + "\n".join(routes) +
            "}\nfinal z\n")


def decls(n):
    xs = take(n)
    out, uses = [], []
    for i, x in enumerate(xs):
        kind = i % 3
        if kind == 0:
            out.append(f"window {x}=mon-fri 09:00-17:00")
            uses.append(f'send sms "hi" within {x}')
        elif kind == 1:
            out.append(f'template {x} "hi"')
            uses.append(f"send sms {x}")
        else:
            out.append(f'keywords {x}="w{i}"')
            uses.append(f"on reply {x}->z")
    # Actions come before handlers in a state.
    uses.sort(key=lambda u: u.startswith("on "))
    return (HEAD + "\n".join(out) + "\nstate s{\n" + "\n".join(uses) + "\n}\nfinal z\n")


def choices(n):
    xs = take(n)
    body = ["state s{send sms \"hi\" else->%s}" % xs[0]]
    body += [f"state {a}{{if ok->{b} else->z}}" for a, b in zip(xs, xs[1:])]
    body.append(f"state {xs[-1]}{{on e->z}}")
    body.append("final z")
    return HEAD + "\n".join(body) + "\n"


SHAPES = {"unreachable": unreachable, "finals": finals, "chain": chain, "wide": wide,
          "decls": decls, "choices": choices}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("shape", choices=sorted(SHAPES))
    ap.add_argument("n", type=int)
    ap.add_argument("-o", "--output", default="-")
    args = ap.parse_args()
    text = SHAPES[args.shape](args.n)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
