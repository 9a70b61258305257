#!/usr/bin/env python3
"""Keeps the man pages true: they render without warnings, they name the same
options (with the same argument and default) and commands as the programs'
--help, --help names every option the program's source accepts, and their
EXAMPLES run.

  mancheck.py render PAGE...
  mancheck.py help qlwm2m|sim|gateway PROGRAM PAGE SOURCE_DIR
  mancheck.py examples BIN_DIR PAGE
"""
import os
import re
import subprocess
import sys
import tempfile

SKIP = 77  # ctest's SKIP_RETURN_CODE for these tests

problems = []


def problem(msg):
    problems.append(msg)


# ------------------------------------------------------------ roff to text

FONT = re.compile(r"\\f(\[[^]]*\]|\(..|.)")


def roff_text(s):
    """The plain text of a roff fragment (the escapes these pages use)."""
    s = FONT.sub("", s)
    s = s.replace("\\-", "-").replace("\\(aq", "'").replace("\\(dq", '"')
    s = s.replace("\\(em", "-").replace("\\&", "").replace("\\e", "\\")
    s = s.replace("\\ ", " ").replace("\\~", " ")
    return s


def macro_args(rest):
    """Splits a macro's arguments as troff does: spaces, and "quoted strings"."""
    args, cur, quoted, i = [], "", False, 0
    while i < len(rest):
        c = rest[i]
        if quoted:
            if c == '"':
                if i + 1 < len(rest) and rest[i + 1] == '"':
                    cur += '"'
                    i += 1
                else:
                    quoted = False
            else:
                cur += c
        elif c == '"' and cur == "":
            quoted = True
        elif c == " ":
            if cur:
                args.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    if cur or quoted:
        args.append(cur)
    return args


def line_text(line):
    """The text one source line of a page adds (font macros resolved)."""
    if not line.startswith("."):
        return roff_text(line)
    name, _, rest = line[1:].partition(" ")
    args = macro_args(rest)
    if name in ("B", "I", "SM", "SB", "SS", "SH"):
        return roff_text(" ".join(args))
    if name in ("BI", "BR", "IB", "IR", "RB", "RI"):  # alternating fonts: no spaces
        return roff_text("".join(args))
    return ""


def parse_page(path):
    """[(section, subsection, kind, text)]: kind "tag" for a .TP tag line,
    "text" for the rest of the running text."""
    out, sh, ss, tag_next = [], "", "", False
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.startswith('.\\"') or line.startswith("'\\\""):
                continue
            if line.startswith(".SH"):
                sh, ss = line_text(line).strip(), ""
                continue
            if line.startswith(".SS"):
                ss = line_text(line).strip()
                continue
            if line.startswith(".TP"):
                tag_next = True
                continue
            text = line_text(line)
            if tag_next and (text or not line.startswith(".")):
                out.append((sh, ss, "tag", text.strip()))
                tag_next = False
            elif line.startswith((".PP", ".RE", ".RS", ".SH")):
                out.append((sh, ss, "break", ""))
            elif text:
                out.append((sh, ss, "text", text))
    return out


# ------------------------------------------------------------ option entries

ENTRY = re.compile(r"^(--?[A-Za-z0-9][A-Za-z0-9-]*)(?:[ =](\S.*))?$")


def split_entry(column):
    """'-p, --port PORT' -> {'-p': 'PORT', '--port': 'PORT'};
    '--imei N / --imsi N' -> {'--imei': 'N', '--imsi': 'N'}."""
    parts = [p.strip() for p in re.split(r",\s+|\s+/\s+", column) if p.strip()]
    names = []
    for p in parts:
        m = ENTRY.match(p)
        if not m:
            return None
        names.append((m.group(1), (m.group(2) or "").strip()))
    # "-p, --port PORT": the short form shares the long one's argument.
    last_arg = next((a for _, a in reversed(names) if a), "")
    return {n: (a or last_arg) for n, a in names}


def default_of(desc):
    """The default a description states, when it is a value (a number, a $VAR)."""
    m = re.search(r"\bdefault:?\s+(\$?[A-Za-z0-9_.]+)", desc)
    if m and (re.search(r"\d", m.group(1)) or m.group(1).startswith("$")):
        return m.group(1)
    return None


def help_options(text):
    """{option: (argument, description)} from --help text: the lines that
    start, indented, with an option, the option column ending at two spaces."""
    opts, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"^( {1,8})(-\S.*?)(?: {2,}(.*))?$", line)
        entry = split_entry(m.group(2)) if m else None
        if entry:
            cur = [m.group(3) or ""]
            for name, arg in entry.items():
                opts[name] = (arg, cur)
            continue
        if cur is not None and re.match(r"^ {9,}\S", line):
            cur.append(line.strip())
        else:
            cur = None
    return {n: (a, " ".join(d)) for n, (a, d) in opts.items()}


def page_options(entries, section, subsection=None):
    """{option: (argument, description)} from the .TP entries of a section."""
    opts, cur = {}, None
    for sh, ss, kind, text in entries:
        if sh != section or (subsection is not None and ss != subsection):
            cur = None
            continue
        if kind == "tag":
            entry = split_entry(text) if text.startswith("-") else None
            cur = [] if entry else None
            for name, arg in (entry or {}).items():
                opts[name] = (arg, cur)
        elif kind == "text" and cur is not None:
            cur.append(text)
        elif kind == "break":
            cur = None
    return {n: (a, " ".join(d)) for n, (a, d) in opts.items()}


def compare(where, helped, paged):
    for name in sorted(set(helped) - set(paged)):
        problem(f"{where}: {name} is in --help but not in the man page")
    for name in sorted(set(paged) - set(helped)):
        problem(f"{where}: {name} is in the man page but not in --help")
    for name in sorted(set(helped) & set(paged)):
        (ha, hd), (pa, pd) = helped[name], paged[name]
        if ha != pa:
            problem(f"{where}: {name} takes '{ha}' in --help, '{pa}' in the man page")
        hdef = default_of(hd)
        if hdef is not None and default_of(pd) != hdef:
            problem(f"{where}: {name}: --help says default {hdef}, the man page "
                    f"says {default_of(pd) or 'none'}")


def run_help(program, *args):
    r = subprocess.run([program, *args, "--help"], capture_output=True, text=True,
                       timeout=60)
    if r.returncode != 0:
        problem(f"{program} {' '.join(args)} --help: exit {r.returncode}: {r.stderr}")
    return r.stdout


def source_options(src_dir):
    """Every option the sources accept: getopt_long tables and strcmp() tests."""
    found = set()
    for name in sorted(os.listdir(src_dir)):
        if not name.endswith(".c"):
            continue
        with open(os.path.join(src_dir, name), encoding="utf-8") as f:
            src = f.read()
        for m in re.finditer(r'\{"([a-z][a-z0-9-]*)",\s*(?:no|required|optional)_argument', src):
            found.add("--" + m.group(1))
        for m in re.finditer(r'strcmp\(\s*\w+(?:\[\w+\])?\s*,\s*"(--?[a-z][a-z0-9-]*)"\)', src):
            found.add(m.group(1))
        for m in re.finditer(r'getopt_long\([^"]*"([A-Za-z:]*)"', src):
            found.update("-" + c for c in m.group(1) if c != ":")
    return found


# ------------------------------------------------------------ the checks


def check_help(kind, program, page, src_dir):
    entries = parse_page(page)
    top = run_help(program)
    documented = set()
    if kind == "qlwm2m":
        head, _, tail = top.partition("\ncommands:\n")
        if not tail:
            problem("qlwm2m --help: no 'commands:' list")
        globals_ = help_options(head)
        compare("global options", globals_, page_options(entries, "OPTIONS"))
        documented |= set(globals_)
        helped_cmds = {}
        for line in tail.split("\n\n")[0].splitlines():
            m = re.match(r"^  (\S.*?)(?: {2,}.*)?$", line)
            if m:
                helped_cmds[m.group(1).split()[0]] = m.group(1)
        paged_cmds = {ss.split()[0]: ss for sh, ss, _, _ in entries
                      if sh == "COMMANDS" and ss}
        for name in sorted(set(helped_cmds) - set(paged_cmds)):
            problem(f"command {name} is in --help but has no .SS in COMMANDS")
        for name in sorted(set(paged_cmds) - set(helped_cmds)):
            problem(f"command {name} is in the man page but not in --help")
        for name in sorted(set(helped_cmds) & set(paged_cmds)):
            if helped_cmds[name] != paged_cmds[name]:
                problem(f"command {name}: synopsis '{helped_cmds[name]}' in --help, "
                        f"'{paged_cmds[name]}' in the man page")
            sub = run_help(program, name)
            cmd_opts = help_options(sub)
            documented |= set(cmd_opts)
            compare(f"command {name}", cmd_opts,
                    page_options(entries, "COMMANDS", paged_cmds[name]))
            m = re.search(r"Default timeout \(-t\): (\d+) s", sub)
            text = " ".join(t for sh, ss, k, t in entries
                            if sh == "COMMANDS" and ss == paged_cmds[name])
            p = re.search(r"Default timeout: (\d+) s", text)
            if (m and m.group(1)) != (p and p.group(1)):
                problem(f"command {name}: default timeout {m and m.group(1)} s in --help, "
                        f"{p and p.group(1)} s in the man page")
    else:
        opts = help_options(top)
        compare("options", opts, page_options(entries, "OPTIONS"))
        documented |= set(opts)
    # The sources' own tables: an option the program takes but --help omits.
    for name in sorted(source_options(src_dir) - documented):
        problem(f"{name} is accepted by the sources in {src_dir} but not in --help")
    if not documented:
        problem("no options found in --help at all")


def check_render(pages):
    env = dict(os.environ, LC_ALL="C.UTF-8", MANROFFSEQ="", MANWIDTH="80")
    for page in pages:
        for cmd in (["man", "--warnings", "-E", "UTF-8", "-l", page],
                    ["groff", "-man", "-ww", "-z", page]):
            r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
            if r.returncode != 0 or r.stderr.strip():
                problem(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr.rstrip()}")
        out = subprocess.run(["man", "-l", page], capture_output=True, text=True,
                             env=env, timeout=60).stdout
        for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS", "SEE ALSO"):
            if not re.search(rf"^{section}$", out, re.M):
                problem(f"{page}: no {section} section")
        if not re.search(r"^EXAMPLES?$", out, re.M):
            problem(f"{page}: no EXAMPLES section")


def check_examples(bin_dir, page):
    """Runs each no-fill block of EXAMPLES as a bash script (set -e) in an
    empty directory, the build's programs first on PATH. When a program was
    started in the background with --link PATH, the first line that names
    PATH waits for it first, as a person typing that line would have. A
    block after the comment '.\\" mancheck: not run (WHY)' is not run (it
    needs a module, a broker)."""
    blocks, cur, in_examples, skip = [], None, False, False
    with open(page, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.startswith(".SH"):
                in_examples = line_text(line).strip() in ("EXAMPLES", "EXAMPLE")
            elif line.startswith('.\\" mancheck: not run'):
                skip = True  # it needs a module or a broker
            elif in_examples and line.startswith(".nf"):
                cur = None if skip else []
                skip = False
            elif in_examples and line.startswith(".fi") and cur is not None:
                blocks.append(cur)
                cur = None
            elif cur is not None and not line.startswith("."):
                cur.append(roff_text(line))
    if not blocks:
        problem(f"{page}: no example to run")
    env = dict(os.environ, PATH=os.path.abspath(bin_dir) + os.pathsep + os.environ["PATH"])
    for i, block in enumerate(blocks, 1):
        # The script's own background jobs end with it, whatever happens.
        script = ["set -e", "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT"]
        pending = []  # links of background programs not yet waited for
        for line in block:
            for link in [p for p in pending if p in line]:
                script.append(f"for _ in $(seq 600); do [ -e {link} ] && break; sleep 0.1; done")
                pending.remove(link)
            script.append(line)
            m = re.search(r"--link (\S+).*&\s*$", line)
            if m:
                pending.append(m.group(1))
        with tempfile.TemporaryDirectory() as work:
            try:
                r = subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env,
                                   capture_output=True, text=True, timeout=300)
                rc, out = r.returncode, r.stdout + r.stderr
            except subprocess.TimeoutExpired as e:
                rc, out = "timeout", str(e.stdout or "")
            print(f"--- example {i} of {page}: exit {rc}\n" + "\n".join(block))
            if rc != 0:
                problem(f"{page}: example {i} exits {rc}:\n" + out)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    what = argv[1]
    if what == "render":
        for tool in ("man", "groff"):
            if subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True).returncode:
                print(f"mancheck: {tool} is missing (scripts/deps.sh man-db groff-base)")
                return SKIP
        check_render(argv[2:])
    elif what == "help" and len(argv) == 6:
        check_help(argv[2], argv[3], argv[4], argv[5])
    elif what == "examples" and len(argv) == 4:
        check_examples(argv[2], argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for p in problems:
        print("FAIL: " + p)
    if not problems:
        print("PASS")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
