#!/bin/sh
# Runs every test program of one build flavour and prints the overall count.
# Usage: tests/run.sh BUILD_DIR
dir=${1:-build}
passed=0
failed=0
bad=""
for t in "$dir"/tests/test_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1)
	rc=$?
	line=$(printf '%s\n' "$out" | grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed$' | tail -1)
	p=$(printf '%s' "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(printf '%s' "$line" | sed -E 's/.*passed, ([0-9]+) failed/\1/')
	[ -n "$p" ] || p=0
	[ -n "$f" ] || f=0
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ $rc -ne 0 ]; then
		printf '%s\n' "$out"
		bad="$bad $(basename "$t")"
	else
		printf '%s\n' "$line"
	fi
done
[ -z "$bad" ] || echo "$dir: failed:$bad"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
