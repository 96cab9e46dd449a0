#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
uapi_yaml_test: Documentation/netlink/tandem.yaml and
kmod-hv/include/uapi/tandem.h describe the same ABI.

Both directions are checked: every item of the spec exists in the header
under the C name the spec implies, with the same value; every enumerator,
#define and struct of the header is described by the spec. Only the
sentinels are exempt: *_UNSPEC (attribute and command 0), __*_MAX and
__*_COUNT, the derived "#define X_MAX (__X_MAX - 1)", and the include
guard; where the spec names a sentinel (attr-cnt-name, enum-cnt-name,
cmd-max-name...) its value is checked as well.

C names follow the YNL code generator: upper case, "-" becomes "_",
entries are name-prefix + name, constants are family-name, structs are
struct family_name.

The last test cases feed the same checks with modified copies of the two
files (a value changed, an enumerator added, ...) and pass only when the
checks catch the change, so that this test cannot silently pass.

usage: uapi_yaml_test.py [HEADER YAML]
       (defaults: the repository's header and spec; the environment
       variables TANDEM_UAPI_HEADER and TANDEM_UAPI_YAML work too)
Output is TAP; the exit status is 1 when any test case fails.
"""
import ast
import copy
import os
import re
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the machine
    print("TAP version 13")
    print("1..1")
    print("not ok 1 - python3-yaml is missing # install python3-yaml")
    sys.exit(1)

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_HEADER = os.path.join(TOP, "kmod-hv", "include", "uapi", "tandem.h")
DEFAULT_YAML = os.path.join(TOP, "Documentation", "netlink", "tandem.yaml")

# Set in the child this test starts to check its own exit status.
NO_SELFTEST_ENV = "TANDEM_UAPI_YAML_NO_SELFTEST"

C_SCALARS = {
    "__u8": ("u8", 1), "__u16": ("u16", 2), "__u32": ("u32", 4),
    "__u64": ("u64", 8), "__s8": ("s8", 1), "__s16": ("s16", 2),
    "__s32": ("s32", 4), "__s64": ("s64", 8),
}
YAML_SCALAR_SIZE = {"u8": 1, "u16": 2, "u32": 4, "u64": 8,
                    "s8": 1, "s16": 2, "s32": 4, "s64": 8}


# --------------------------------------------------------------------------
# The header
# --------------------------------------------------------------------------

class HeaderError(Exception):
    pass


def strip_comments(text):
    """Remove /* */ and // comments, keeping string and char literals."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise HeaderError("unterminated comment")
            # Keep line numbers: a comment becomes its newlines.
            out.append(" " + "\n" * text.count("\n", i, j))
            i = j + 2
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        else:
            out.append(c)
            i += 1
    return "".join(out)


_ALLOWED_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant,
                  ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod,
                  ast.LShift, ast.RShift, ast.BitOr, ast.BitAnd, ast.BitXor,
                  ast.USub, ast.UAdd, ast.Invert)


def c_eval(expr, symbols):
    """Evaluate an integer constant expression of the header."""
    e = expr.strip()
    e = re.sub(r"\b_BITULL\s*\(", "(1 << ", e)
    e = re.sub(r"\b_BITUL\s*\(", "(1 << ", e)
    e = re.sub(r"\b_AC\s*\(\s*([^,()]+?)\s*,\s*\w+\s*\)", r"(\1)", e)
    e = re.sub(r"\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]+\b", r"\1", e)

    def ident(m):
        name = m.group(0)
        if name not in symbols:
            raise HeaderError(f"unknown identifier {name} in '{expr}'")
        return f"({symbols[name]})"
    e = re.sub(r"\b[A-Za-z_]\w*\b", ident, e)
    e = e.replace("/", "//")
    try:
        tree = ast.parse(e, mode="eval")
    except SyntaxError as err:
        raise HeaderError(f"cannot evaluate '{expr}'") from err
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES) or (
                isinstance(node, ast.Constant) and
                not isinstance(node.value, int)):
            raise HeaderError(f"cannot evaluate '{expr}'")
    return eval(compile(tree, "<c>", "eval"), {"__builtins__": {}})


def split_top(body, sep):
    """Split @body at @sep outside parentheses and brackets."""
    parts, depth, cur = [], 0, []
    for c in body:
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        if c == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def parse_header(text):
    """
    Return a dict: enums {name: [(enumerator, value)]}, defines
    {name: (raw, value)} (value is an int, a str, or None), structs
    {name: [(member, ctype, count)]}.
    """
    src = strip_comments(text).replace("\\\n", " ")
    symbols = {}
    defines = {}
    enums = {}
    structs = {}

    # Walk top-level items in source order, so that an expression may use
    # anything defined before it, as the compiler would.
    item = re.compile(
        r"^[ \t]*#[ \t]*define[ \t]+(?P<dname>\w+)(?P<fn>\()?[ \t]*(?P<dval>[^\n]*)$"
        r"|\benum\s+(?P<ename>\w+)\s*\{(?P<ebody>[^}]*)\}\s*;"
        r"|\bstruct\s+(?P<sname>\w+)\s*\{(?P<sbody>[^}]*)\}\s*;",
        re.M)
    for m in item.finditer(src):
        if m.group("dname"):
            name, raw = m.group("dname"), m.group("dval").strip()
            if m.group("fn"):
                continue        # function-like macro: not part of the ABI
            if not raw:
                defines[name] = (raw, None)
            elif re.fullmatch(r'"(?:[^"\\]|\\.)*"', raw):
                defines[name] = (raw, ast.literal_eval(raw))
            else:
                val = c_eval(raw, symbols)
                defines[name] = (raw, val)
                symbols[name] = val
        elif m.group("ename"):
            name = m.group("ename")
            if name in enums:
                raise HeaderError(f"enum {name} defined twice")
            items, nxt = [], 0
            for part in split_top(m.group("ebody"), ","):
                em = re.fullmatch(r"(\w+)\s*(?:=\s*(.+))?", part, re.S)
                if not em:
                    raise HeaderError(f"enum {name}: cannot parse '{part}'")
                ename, expr = em.group(1), em.group(2)
                val = c_eval(expr, symbols) if expr is not None else nxt
                if ename in symbols:
                    raise HeaderError(f"{ename} defined twice")
                symbols[ename] = val
                items.append((ename, val))
                nxt = val + 1
            enums[name] = items
        else:
            name = m.group("sname")
            members = []
            for decl in split_top(m.group("sbody"), ";"):
                dm = re.fullmatch(r"((?:struct\s+)?\w+)\s+(.+)", decl, re.S)
                if not dm:
                    raise HeaderError(f"struct {name}: cannot parse '{decl}'")
                ctype = re.sub(r"\s+", " ", dm.group(1))
                for d in split_top(dm.group(2), ","):
                    am = re.fullmatch(r"(\w+)\s*(?:\[(.+)\])?", d)
                    if not am:
                        raise HeaderError(f"struct {name}: cannot parse '{d}'")
                    count = c_eval(am.group(2), symbols) if am.group(2) else None
                    members.append((am.group(1), ctype, count))
            structs[name] = members
    return {"enums": enums, "defines": defines, "structs": structs}


def c_struct_layout(structs, name, seen=()):
    """[(member, size, offset)] and total size, with natural alignment."""
    if name in seen:
        raise HeaderError(f"struct {name} contains itself")
    if name not in structs:
        raise HeaderError(f"struct {name} is not defined in the header")
    out, off, align_max = [], 0, 1
    for member, ctype, count in structs[name]:
        if ctype in C_SCALARS:
            size = align = C_SCALARS[ctype][1]
        elif ctype.startswith("struct "):
            _, size, align = c_struct_layout(structs, ctype[7:], seen + (name,))
        else:
            raise HeaderError(f"struct {name}: unknown type {ctype}")
        total = size * (count if count is not None else 1)
        off = (off + align - 1) // align * align
        out.append((member, total, off))
        off += total
        align_max = max(align_max, align)
    size = (off + align_max - 1) // align_max * align_max
    return out, size, align_max


# --------------------------------------------------------------------------
# The spec
# --------------------------------------------------------------------------

def cname(s):
    """The C spelling of a spec name."""
    return str(s).upper().replace("-", "_")


def clower(s):
    return str(s).lower().replace("-", "_")


def entry_list(d, start):
    """[(name, value, raw)] of an enum's entries, values made explicit."""
    out, nxt = [], start
    for e in d.get("entries", []):
        if isinstance(e, dict):
            name, val = e.get("name"), e.get("value", nxt)
        else:
            name, val = e, nxt
        out.append((name, val, e))
        nxt = val + 1
    return out


def attr_list(s):
    out, nxt = [], 1
    for a in s.get("attributes", []):
        val = a.get("value", nxt)
        out.append((a.get("name"), val, a))
        nxt = val + 1
    return out


def op_list(spec):
    out, nxt = [], 1
    for op in spec.get("operations", {}).get("list", []):
        val = op.get("value", nxt)
        out.append((op.get("name"), val, op))
        nxt = val + 1
    return out


# --------------------------------------------------------------------------
# The checks: each returns (description, [problems], [notes])
# --------------------------------------------------------------------------

class Result:
    def __init__(self, what):
        self.what = what
        self.problems = []
        self.notes = []

    def fail(self, msg):
        self.problems.append(msg)

    def note(self, msg):
        self.notes.append(msg)


def compare_enum(r, hdr, c_enum, expected, cnt_name=None):
    """
    @expected: [(C name, value, spec label)]. Both directions within
    @c_enum; the C enum's UNSPEC and __ sentinels are exempt.
    """
    enums = hdr["enums"]
    if c_enum not in enums:
        r.fail(f"enum {c_enum} is not in the header")
        return
    c_items = dict(enums[c_enum])
    seen = set()
    for cn, val, label in expected:
        seen.add(cn)
        if cn not in c_items:
            r.fail(f"{label}: {cn} is not in enum {c_enum}")
        elif c_items[cn] != val:
            r.fail(f"{label}: {cn} is {c_items[cn]} in the header, {val} in the spec")
    for cn, val in enums[c_enum]:
        if cn in seen or is_sentinel(cn):
            continue
        r.fail(f"{cn} (= {val}) of enum {c_enum} is not in the spec")
    if cnt_name:
        cn = cname(cnt_name)
        want = max((v for _, v, _ in expected), default=-1) + 1
        if cn not in c_items:
            r.fail(f"counter {cn} is not in enum {c_enum}")
        elif c_items[cn] != want:
            r.fail(f"counter {cn} is {c_items[cn]}, expected {want} (last value + 1)")
    r.note(f"enum {c_enum}: {len(expected)} entries")


def is_sentinel(cn):
    return cn.startswith("__") or cn.endswith("_UNSPEC")


def check_max_define(r, hdr, max_name, expected):
    if not max_name:
        return
    cn = cname(max_name)
    d = hdr["defines"].get(cn)
    if d is None:
        r.fail(f"#define {cn} is not in the header")
    elif d[1] != expected:
        r.fail(f"#define {cn} is {d[1]}, expected {expected} (last value)")


def check_family(hdr, spec):
    r = Result("family: name and version")
    fam = spec.get("name")
    defs = hdr["defines"]
    for key, default, want in (
            ("c-family-name", f"{fam}-family-name", fam),
            ("c-version-name", f"{fam}-family-version", spec.get("version", 1))):
        cn = cname(spec.get(key, default))
        if cn not in defs:
            r.fail(f"{key}: #define {cn} is not in the header")
        elif defs[cn][1] != want:
            r.fail(f"{key}: #define {cn} is {defs[cn][0]}, the spec says {want!r}")
        else:
            r.note(f"{cn} = {want!r}")
    if spec.get("protocol") not in ("genetlink", "genetlink-c",
                                    "genetlink-legacy"):
        r.fail(f"protocol is {spec.get('protocol')!r}, not a genetlink level")
    return r


def check_constants(hdr, spec):
    r = Result("constants")
    fam = spec["name"]
    for d in spec.get("definitions", []):
        if d.get("type") != "const":
            continue
        cn = cname(f"{fam}-{d['name']}")
        got = hdr["defines"].get(cn)
        if got is None:
            r.fail(f"const {d['name']}: #define {cn} is not in the header")
        elif got[1] != d.get("value"):
            shown = got[0] if got[0] == str(got[1]) else f"{got[0]} (= {got[1]})"
            r.fail(f"const {d['name']}: #define {cn} is {shown} "
                   f"in the header, {d.get('value')} in the spec")
        else:
            r.note(f"{cn} = {got[1]}")
    return r


def enum_c_name(spec, d):
    return clower(d.get("enum-name", f"{spec['name']}-{d['name']}"))


def check_definition_enum(hdr, spec, d):
    c_enum = enum_c_name(spec, d)
    r = Result(f"{d['type']} {d['name']} = enum {c_enum}")
    prefix = d.get("name-prefix", f"{spec['name']}-{d['name']}-")
    expected = [(cname(prefix + str(n)), v, f"entry {n}")
                for n, v, _ in entry_list(d, d.get("value-start", 0))]
    compare_enum(r, hdr, c_enum, expected, d.get("enum-cnt-name"))
    return r


def yaml_struct_members(spec, name, seen=()):
    """[(member, size, type label)] and total size of a spec struct."""
    structs = {d["name"]: d for d in spec.get("definitions", [])
               if d.get("type") == "struct"}
    if name in seen or name not in structs:
        raise KeyError(name)
    out = []
    for m in structs[name].get("members", []):
        t = m.get("type")
        if t in YAML_SCALAR_SIZE:
            out.append((m["name"], YAML_SCALAR_SIZE[t], t))
        elif t == "binary" and "struct" in m:
            _, size = yaml_struct_members(spec, m["struct"], seen + (name,))
            out.append((m["name"], size, "struct " + m["struct"]))
        elif t in ("binary", "pad") and "len" in m:
            out.append((m["name"], int(m["len"]), t))
        else:
            out.append((m["name"], None, t))
    return out, sum(s or 0 for _, s, _ in out)


def check_struct(hdr, spec, d):
    fam = spec["name"]
    c_struct = clower(f"{fam}-{d['name']}")
    r = Result(f"struct {d['name']} = struct {c_struct}")
    if c_struct not in hdr["structs"]:
        r.fail(f"struct {c_struct} is not in the header")
        return r
    try:
        members, ysize = yaml_struct_members(spec, d["name"])
    except KeyError as err:
        r.fail(f"struct {d['name']}: unknown or recursive struct {err}")
        return r
    layout, csize, _ = c_struct_layout(hdr["structs"], c_struct)
    cmembers = hdr["structs"][c_struct]
    offset = 0
    for i in range(max(len(members), len(layout))):
        if i >= len(members):
            r.fail(f"member {layout[i][0]} of struct {c_struct} is not in the spec")
            continue
        if i >= len(layout):
            r.fail(f"member {members[i][0]} is not in struct {c_struct}")
            continue
        yname, ysz, ytype = members[i]
        cn, csz, coff = layout[i]
        ctype = cmembers[i][1]
        if yname != cn:
            r.fail(f"member {i}: {cn} in the header, {yname} in the spec")
        if ysz is None:
            r.fail(f"member {yname}: type {ytype} needs a len or a struct")
        elif ysz != csz:
            r.fail(f"member {yname}: {csz} bytes in the header, {ysz} in the spec")
        if coff != offset:
            r.fail(f"member {cn}: the header pads it to offset {coff}; "
                   f"the spec has no padding there")
        if ytype in YAML_SCALAR_SIZE and cmembers[i][2] is None and \
                C_SCALARS.get(ctype, (None,))[0] != ytype:
            r.fail(f"member {yname}: {ctype} in the header, {ytype} in the spec")
        if ytype.startswith("struct ") and \
                ctype != "struct " + clower(f"{fam}-{ytype[7:]}"):
            r.fail(f"member {yname}: {ctype} in the header, {ytype} in the spec")
        offset = coff + csz
    if not r.problems and ysize != csize:
        r.fail(f"size: {csize} bytes in the header, {ysize} in the spec")
    r.note(f"struct {c_struct}: {len(layout)} members, {csize} bytes")
    return r


def check_attr_set(hdr, spec, s):
    c_enum = clower(s.get("enum-name", ""))
    r = Result(f"attribute-set {s.get('name')} = enum {c_enum or '?'}")
    if not c_enum:
        r.fail(f"attribute-set {s.get('name')} has no enum-name: its C enum "
               f"cannot be found")
        return r
    prefix = s.get("name-prefix", f"{spec['name']}-a-{s['name']}-")
    attrs = attr_list(s)
    expected = [(cname(prefix + str(n)), v, f"attribute {n}")
                for n, v, _ in attrs]
    compare_enum(r, hdr, c_enum, expected, s.get("attr-cnt-name"))
    check_max_define(r, hdr, s.get("attr-max-name"),
                     max((v for _, v, _ in attrs), default=0))
    return r


def check_operations(hdr, spec):
    ops = spec.get("operations", {})
    c_enum = clower(ops.get("enum-name", ""))
    r = Result(f"operations = enum {c_enum or '?'}")
    if not c_enum:
        r.fail("operations have no enum-name: the command enum cannot be found")
        return r
    prefix = ops.get("name-prefix", f"{spec['name']}-cmd-")
    lst = op_list(spec)
    expected = [(cname(prefix + str(n)), v, f"op {n}") for n, v, _ in lst]
    compare_enum(r, hdr, c_enum, expected, spec.get("cmd-cnt-name"))
    check_max_define(r, hdr, spec.get("cmd-max-name"),
                     max((v for _, v, _ in lst), default=0))
    return r


def check_mcast_groups(hdr, spec):
    r = Result("mcast-groups")
    groups = spec.get("mcast-groups", {}).get("list", [])
    for i, g in enumerate(groups):
        dn = g.get("c-define-name")
        if not dn:
            r.fail(f"group {g.get('name')}: no c-define-name")
            continue
        got = hdr["defines"].get(cname(dn))
        if got is None:
            r.fail(f"group {g['name']}: #define {cname(dn)} is not in the header")
        elif got[1] != g["name"]:
            r.fail(f"group {g['name']}: #define {cname(dn)} is {got[0]}")
        else:
            r.note(f"{cname(dn)} = {got[0]}")
    # The enum of group indices (if the spec has one) follows the list.
    for d in spec.get("definitions", []):
        if d.get("name") == "mcgrp" and d.get("type") == "enum":
            idx = {n: v for n, v, _ in entry_list(d, d.get("value-start", 0))}
            for i, g in enumerate(groups):
                if idx.get(g.get("name")) != i:
                    r.fail(f"group {g.get('name')} is number {i} in mcast-groups "
                           f"but {idx.get(g.get('name'))} in enum mcgrp")
            if len(idx) != len(groups):
                r.fail(f"enum mcgrp has {len(idx)} entries, mcast-groups {len(groups)}")
    return r


def claimed_names(spec):
    """C enums, #defines and structs the spec describes."""
    fam = spec["name"]
    enums, defines, structs = set(), set(), set()
    for d in spec.get("definitions", []):
        if d.get("type") == "const":
            defines.add(cname(f"{fam}-{d['name']}"))
        elif d.get("type") in ("enum", "flags"):
            enums.add(enum_c_name(spec, d))
        elif d.get("type") == "struct":
            structs.add(clower(f"{fam}-{d['name']}"))
    for s in spec.get("attribute-sets", []):
        if s.get("enum-name"):
            enums.add(clower(s["enum-name"]))
        if s.get("attr-max-name"):
            defines.add(cname(s["attr-max-name"]))
    if spec.get("operations", {}).get("enum-name"):
        enums.add(clower(spec["operations"]["enum-name"]))
    for key, default in (("c-family-name", f"{fam}-family-name"),
                         ("c-version-name", f"{fam}-family-version")):
        defines.add(cname(spec.get(key, default)))
    if spec.get("cmd-max-name"):
        defines.add(cname(spec["cmd-max-name"]))
    for g in spec.get("mcast-groups", {}).get("list", []):
        if g.get("c-define-name"):
            defines.add(cname(g["c-define-name"]))
    return enums, defines, structs


def is_derived_define(name, raw):
    """The include guard and "#define X_MAX (__X_MAX - 1)"."""
    if not raw:
        return True
    return re.fullmatch(r"\(?\s*__\w+\s*-\s*1\s*\)?", raw) is not None


def check_c_complete(hdr, spec):
    r = Result("header: every enum, #define and struct is in the spec")
    enums, defines, structs = claimed_names(spec)
    for name in hdr["enums"]:
        if name not in enums:
            r.fail(f"enum {name} is not in the spec "
                   f"({', '.join(n for n, _ in hdr['enums'][name])})")
    for name, (raw, _) in hdr["defines"].items():
        if name not in defines and not is_derived_define(name, raw):
            r.fail(f"#define {name} {raw} is not in the spec")
    for name in hdr["structs"]:
        if name not in structs:
            r.fail(f"struct {name} is not in the spec")
    r.note(f"{len(hdr['enums'])} enums, {len(hdr['defines'])} defines, "
           f"{len(hdr['structs'])} structs in the header")
    return r


def check_spec_consistency(spec):
    """References inside the spec lead somewhere; names and values are unique."""
    r = Result("spec: references, unique names and values")
    defs = {d.get("name"): d for d in spec.get("definitions", [])}
    consts = {n for n, d in defs.items() if d.get("type") == "const"}
    sets = {s.get("name"): s for s in spec.get("attribute-sets", [])}
    groups = {g.get("name") for g in spec.get("mcast-groups", {}).get("list", [])}

    def unique(what, pairs):
        names, values = {}, {}
        for n, v in pairs:
            if n in names:
                r.fail(f"{what}: {n} appears twice")
            if v in values:
                r.fail(f"{what}: {n} and {values[v]} both have value {v}")
            names[n], values[v] = v, n

    if len(defs) != len(spec.get("definitions", [])):
        r.fail("definitions: a name appears twice")
    for d in spec.get("definitions", []):
        if d.get("type") in ("enum", "flags"):
            unique(f"{d['type']} {d['name']}",
                   [(n, v) for n, v, _ in entry_list(d, d.get("value-start", 0))])
        if d.get("type") == "struct":
            for m in d.get("members", []):
                if "struct" in m and defs.get(m["struct"], {}).get("type") != "struct":
                    r.fail(f"struct {d['name']}.{m['name']}: no struct {m['struct']}")
    for s in spec.get("attribute-sets", []):
        unique(f"attribute-set {s['name']}", [(n, v) for n, v, _ in attr_list(s)])
        for a in s.get("attributes", []):
            where = f"attribute-set {s['name']}.{a.get('name')}"
            t = a.get("type")
            if t not in ("u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
                         "string", "binary", "nest", "flag", "pad"):
                r.fail(f"{where}: unknown type {t}")
            if t == "nest" and a.get("nested-attributes") not in sets:
                r.fail(f"{where}: nested-attributes {a.get('nested-attributes')} "
                       f"is not an attribute set")
            if "enum" in a and defs.get(a["enum"], {}).get("type") not in ("enum", "flags"):
                r.fail(f"{where}: enum {a['enum']} is not defined")
            if "struct" in a and defs.get(a["struct"], {}).get("type") != "struct":
                r.fail(f"{where}: struct {a['struct']} is not defined")
            for k, v in (a.get("checks") or {}).items():
                if isinstance(v, str) and v not in consts and \
                        not re.fullmatch(r"[su](8|16|32|64)-(min|max)", v):
                    r.fail(f"{where}: check {k} refers to unknown constant {v}")
    unique("operations", [(n, v) for n, v, _ in op_list(spec)])
    for name, _, op in op_list(spec):
        aset = sets.get(op.get("attribute-set"))
        if aset is None:
            r.fail(f"op {name}: attribute-set {op.get('attribute-set')} is not defined")
            continue
        known = {a.get("name") for a in aset.get("attributes", [])}
        msgs = []
        for mode in ("do", "dump"):
            for part in ("request", "reply"):
                msgs.append((f"{mode} {part}",
                             ((op.get(mode) or {}).get(part) or {}).get("attributes", [])))
        msgs.append(("event", (op.get("event") or {}).get("attributes", [])))
        for where, lst in msgs:
            for a in lst:
                if a not in known:
                    r.fail(f"op {name} {where}: {a} is not in attribute-set "
                           f"{aset['name']}")
        if "mcgrp" in op and op["mcgrp"] not in groups:
            r.fail(f"op {name}: mcgrp {op['mcgrp']} is not a multicast group")
        for f in op.get("flags", []):
            if f not in ("admin-perm", "uns-admin-perm", "hidden-perm"):
                r.fail(f"op {name}: unknown flag {f}")
    return r


def run_checks(header_text, spec):
    """All comparisons; a list of Result."""
    results = []
    try:
        hdr = parse_header(header_text)
    except HeaderError as err:
        r = Result("header parses")
        r.fail(str(err))
        return [r]
    r = Result("header parses")
    r.note(f"{len(hdr['enums'])} enums, {len(hdr['defines'])} #defines, "
           f"{len(hdr['structs'])} structs")
    results.append(r)
    if not isinstance(spec, dict) or "name" not in spec:
        r = Result("spec parses")
        r.fail("not a netlink spec (no name)")
        return results + [r]
    results.append(check_family(hdr, spec))
    results.append(check_constants(hdr, spec))
    for d in spec.get("definitions", []):
        if d.get("type") in ("enum", "flags"):
            results.append(check_definition_enum(hdr, spec, d))
    for d in spec.get("definitions", []):
        if d.get("type") == "struct":
            try:
                results.append(check_struct(hdr, spec, d))
            except HeaderError as err:
                r = Result(f"struct {d['name']}")
                r.fail(str(err))
                results.append(r)
    for s in spec.get("attribute-sets", []):
        results.append(check_attr_set(hdr, spec, s))
    results.append(check_operations(hdr, spec))
    results.append(check_mcast_groups(hdr, spec))
    results.append(check_c_complete(hdr, spec))
    results.append(check_spec_consistency(spec))
    return results


# --------------------------------------------------------------------------
# Sensitivity: the checks must catch a broken copy
# --------------------------------------------------------------------------

def problems_of(header_text, spec):
    return [p for r in run_checks(header_text, spec) for p in r.problems]


def mutate_define_value(h, s):
    # A limit if there is one, else any numeric #define.
    m = re.search(r"^(#define[ \t]+(TANDEM_NAME_MAX)[ \t]+)(\d+)\b", h, re.M) or \
        re.search(r"^(#define[ \t]+(TANDEM_\w+)[ \t]+)(\d+)\b", h, re.M)
    if not m:
        return None
    new = h[:m.start(3)] + str(int(m.group(3)) + 1) + h[m.end(3):]
    return new, s, m.group(2)


def mutate_enum_value(h, s):
    # Give the first enumerator of the command enum an explicit value that
    # moves it and all that follow.
    m = re.search(r"enum\s+tandem_cmd\s*\{\s*(\w+)(\s*,)", h)
    if not m:
        return None
    new = h[:m.end(1)] + " = 7" + h[m.end(1):]
    return new, s, "TANDEM_CMD_"


def mutate_add_enumerator(h, s):
    m = re.search(r"^([ \t]*)(__TANDEM_\w+_MAX)\s*,", h, re.M)
    if not m:
        return None
    new = h[:m.start()] + f"{m.group(1)}TANDEM_SELFTEST_EXTRA,\n" + h[m.start():]
    return new, s, "TANDEM_SELFTEST_EXTRA"


def mutate_add_enum(h, s):
    m = re.search(r"#endif\s*/\*\s*_UAPI", h)
    if not m:
        return None
    extra = "enum tandem_selftest_new {\n\tTANDEM_SELFTEST_NEW_A,\n};\n\n"
    return h[:m.start()] + extra + h[m.start():], s, "tandem_selftest_new"


def mutate_add_define(h, s):
    m = re.search(r"#endif\s*/\*\s*_UAPI", h)
    if not m:
        return None
    extra = "#define TANDEM_SELFTEST_LIMIT\t7\n\n"
    return h[:m.start()] + extra + h[m.start():], s, "TANDEM_SELFTEST_LIMIT"


def mutate_struct_member(h, s):
    m = re.search(r"(struct\s+tandem_\w+\s*\{[^}]*?)__u16(\s+\w+;)", h)
    if not m:
        return None
    new = h[:m.start()] + m.group(1) + "__u32" + m.group(2) + h[m.end():]
    return new, s, "bytes in the header"


def mutate_yaml_attr_value(h, s):
    s = copy.deepcopy(s)
    for aset in s.get("attribute-sets", []):
        for a in aset.get("attributes", []):
            if "value" in a:
                a["value"] += 100
                return h, s, "in the spec"
    return None


def mutate_yaml_extra_attr(h, s):
    s = copy.deepcopy(s)
    sets = s.get("attribute-sets", [])
    if not sets:
        return None
    sets[0].setdefault("attributes", []).append(
        {"name": "selftest-extra", "type": "u32", "value": 200})
    return h, s, "SELFTEST_EXTRA is not in enum"


def mutate_yaml_drop_entry(h, s):
    s = copy.deepcopy(s)
    for d in s.get("definitions", []):
        if d.get("type") in ("enum", "flags") and len(d.get("entries", [])) > 1:
            d["entries"].pop()
            return h, s, "is not in the spec"
    return None


def mutate_yaml_dangling(h, s):
    s = copy.deepcopy(s)
    for op in s.get("operations", {}).get("list", []):
        req = (op.get("do") or {}).get("request")
        if req is not None:
            req.setdefault("attributes", []).append("selftest-nowhere")
            return h, s, "selftest-nowhere is not in attribute-set"
    return None


SENSITIVITY = [
    ("detects_value_mismatch (#define changed)", mutate_define_value),
    ("detects_value_mismatch (enumerators renumbered)", mutate_enum_value),
    ("detects_value_mismatch (spec value changed)", mutate_yaml_attr_value),
    ("detects_missing_yaml_entry (enumerator added to the header)",
     mutate_add_enumerator),
    ("detects_missing_yaml_entry (enum added to the header)", mutate_add_enum),
    ("detects_missing_yaml_entry (#define added to the header)",
     mutate_add_define),
    ("detects_missing_yaml_entry (spec entry removed)", mutate_yaml_drop_entry),
    ("detects_missing_c_entry (attribute added to the spec)",
     mutate_yaml_extra_attr),
    ("detects_struct_mismatch (member widened)", mutate_struct_member),
    ("detects_dangling_reference (op lists an unknown attribute)",
     mutate_yaml_dangling),
]


def sensitivity_results(header_text, spec):
    out = []
    for what, fn in SENSITIVITY:
        r = Result(what)
        m = fn(header_text, spec)
        if m is None:
            r.fail("the change cannot be applied to these files "
                   "(nothing to modify): update this test case")
            out.append(r)
            continue
        h2, s2, expect = m
        probs = problems_of(h2, s2)
        hits = [p for p in probs if expect in p]
        if not hits:
            r.fail(f"the modified copy passed (expected a problem mentioning "
                   f"'{expect}'; got {len(probs)} other problems)")
            for p in probs[:5]:
                r.note(f"got: {p}")
        else:
            r.note(f"caught: {hits[0]}")
        out.append(r)
    return out


def exit_status_result(header_path, yaml_path, header_text):
    """Run this program on a broken copy of the header: it must exit 1."""
    r = Result("exits_nonzero_on_mismatch (a broken header copy on the command line)")
    m = mutate_define_value(header_text, None)
    if m is None:
        r.fail("no #define to modify")
        return r
    with tempfile.TemporaryDirectory(prefix="uapi_yaml_test.") as tmp:
        bad = os.path.join(tmp, "tandem.h")
        with open(bad, "w") as f:
            f.write(m[0])
        env = dict(os.environ, **{NO_SELFTEST_ENV: "1"})
        p = subprocess.run([sys.executable, os.path.abspath(__file__), bad,
                            yaml_path], env=env, capture_output=True, text=True)
    lines = p.stdout.splitlines()
    if p.returncode != 1:
        r.fail(f"exit status {p.returncode}, expected 1")
    if not any(l.startswith("not ok ") for l in lines):
        r.fail("no 'not ok' line in its output")
    if not lines or lines[0] != "TAP version 13":
        r.fail("its output does not start with 'TAP version 13'")
    if not r.problems:
        r.note(f"exit status 1, {sum(l.startswith('not ok ') for l in lines)} "
               f"failing test case(s) for a changed {m[2]}")
    return r


# --------------------------------------------------------------------------

def main(argv):
    if len(argv) not in (1, 3):
        sys.stderr.write("usage: uapi_yaml_test.py [HEADER YAML]\n")
        return 2
    header_path = argv[1] if len(argv) == 3 else \
        os.environ.get("TANDEM_UAPI_HEADER", DEFAULT_HEADER)
    yaml_path = argv[2] if len(argv) == 3 else \
        os.environ.get("TANDEM_UAPI_YAML", DEFAULT_YAML)

    results = []
    header_text = spec = None
    try:
        with open(header_path) as f:
            header_text = f.read()
    except OSError as err:
        r = Result("header is readable")
        r.fail(f"{header_path}: {err.strerror}")
        results.append(r)
    try:
        with open(yaml_path) as f:
            spec = yaml.safe_load(f)
        r = Result("spec parses as YAML")
        r.note(yaml_path)
        results.append(r)
    except (OSError, yaml.YAMLError) as err:
        r = Result("spec parses as YAML")
        r.fail(f"{yaml_path}: {err}")
        results.append(r)
        spec = None

    if header_text is not None and spec is not None:
        results += run_checks(header_text, spec)
        clean = not any(r.problems for r in results)
        if not os.environ.get(NO_SELFTEST_ENV):
            if clean:
                results += sensitivity_results(header_text, spec)
                results.append(exit_status_result(header_path, yaml_path,
                                                  header_text))
            else:
                r = Result("sensitivity checks # SKIP the files disagree already")
                results.append(r)

    print("TAP version 13")
    print(f"1..{len(results)}")
    failed = 0
    for i, r in enumerate(results, 1):
        if r.problems:
            failed += 1
            print(f"not ok {i} - {r.what}")
            for p in r.problems:
                print(f"# {p}")
        else:
            print(f"ok {i} - {r.what}")
        for n in r.notes:
            print(f"#   {n}")
    print(f"# {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
