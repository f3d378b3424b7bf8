"""``python -m bench.profile [--seconds N] [--out DIR]``: where the CPU goes.

Starts the stack on a fresh database and broker names as the bench does, drives it
at the maximum (closed loop) and samples every service process with py-spy
meanwhile. Writes each process's collapsed stacks to DIR (``<name>.txt``, the
format flame-graph tools read) and prints, per process, the functions holding most
of its samples: inclusive (the function or what it calls) and own."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

from bench.__main__ import MID, QUICK, SERVICES, Bench, log, pipeline
from bench.fixtures import build_world
from shared.store import open_recorder, open_vault


def summary(collapsed: Path, top: int) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        frames = stack.split(";")
        total += samples
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    if not total:
        return "  (no samples)"
    lines = [f"  {total} samples"]
    for title, counter in (("inclusive", inclusive), ("own", own)):
        lines.append(f"  -- {title}")
        lines += [
            f"  {100 * n / total:5.1f}%  {frame[:150]}" for frame, n in counter.most_common(top)
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--out", type=Path, default=Path("var/profile"))
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    # The full load on the quick world: a profile needs the load, not the world's size.
    profile = replace(QUICK, concurrency=MID.concurrency)
    with pipeline() as (settings, tmp):
        bench = Bench(profile, settings, tmp)
        recorder = open_recorder(settings)
        try:
            log("building the world")
            world = build_world(
                recorder,
                open_vault(settings),
                branches=profile.branches,
                members=profile.members,
                households=profile.households,
                posts=profile.posts,
            )
            bench.replay()  # read models current, as in the bench: the load alone is sampled
            bench.checkpoint_relay_at_head()
            stack = bench.start_stack()
            samplers = []
            try:
                for process in stack:
                    output = args.out / f"{process.name}.txt"
                    samplers.append(
                        (
                            process.name,
                            output,
                            subprocess.Popen(
                                [
                                    str(Path(sys.executable).parent / "py-spy"),
                                    "record",
                                    "--pid",
                                    str(process.pid),
                                    "--subprocesses",
                                    "--nonblocking",
                                    "--gil",  # what holds the interpreter: CPU, not waits
                                    "--format",
                                    "raw",
                                    "--rate",
                                    "200",
                                    "--duration",
                                    str(int(args.seconds + 3)),
                                    "--output",
                                    str(output),
                                ],
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL,
                            ),
                        )
                    )
                log(f"profiling under {profile.concurrency} clients for {args.seconds}s")
                result = bench.load(world, stack[0].url, rate=None, seconds=args.seconds)
                for _, _, sampler in samplers:
                    sampler.wait()
                summary_of_run = bench.summarise(result)
            finally:
                for process in stack:
                    process.kill()
        finally:
            recorder.close()
    print(f"{summary_of_run['commands_per_second']:.0f} commands/s")
    for name, output, _ in samplers:
        print(f"== {SERVICES[name]}")
        print(summary(output, args.top) if output.exists() else "  (py-spy wrote nothing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
