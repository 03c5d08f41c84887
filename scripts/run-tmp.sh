# Sourced by test.sh, bench.sh and soak.sh: gives the run a temp directory of its own,
# removed when the run ends, so Miniflare's `miniflare-*` directories (one per instance,
# left behind by instances that are not disposed and by killed runs) no longer pile up in
# the system's temp dir (bench/README.md, "The disk"). Usage: `run_tmp_dir <purpose>`.

run_tmp_dir() {
  local base="${TMPDIR:-/tmp}" dir owner
  # What an earlier run left when it was killed: its directory names its process, which
  # is gone. A directory whose process still runs is another run's, and is left alone.
  for dir in "$base"/edge-customers-*-[0-9]*; do
    [ -d "$dir" ] || continue
    owner=${dir##*-}
    if ! kill -0 "$owner" 2>/dev/null; then rm -rf -- "$dir"; fi
  done
  dir="$base/edge-customers-$1-$$"
  mkdir -p "$dir"
  export TMPDIR="$dir"
  # shellcheck disable=SC2064 # the directory is fixed now, not when the trap runs
  trap "rm -rf -- '$dir'" EXIT
}
