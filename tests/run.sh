#!/bin/sh
# Runs every test program of one or more build flavours, one flavour after
# the other, and prints the counts.
#
# Usage: tests/run.sh BUILD_DIR                      one flavour, ends with "tests: N passed, N failed"
#        tests/run.sh BUILD_DIR FLAVOUR [DIR FLAVOUR]...
#
# Each test program prints "<file>: N passed, N failed"; a passing program's
# line is shown, a failing one's whole output.  Each flavour ends with
# "FLAVOUR: N passed, N failed" (the sum of its programs); with more than one
# flavour, the last line is the grand total "tests: N passed, N failed".  A
# program fails (counted as at least one failed test) if it exits non-zero or
# prints no summary line, even with exit status 0; a program whose source
# (tests/NAME.c or tests/unit/NAME.c) is gone is skipped.  The exit status is
# non-zero if anything failed.  Every flavour runs even when
# an earlier one failed.
srcdir=$(dirname "$0")
total_passed=0
total_failed=0
n_flavours=0

# run_flavour DIR LABEL: sets passed and failed.
run_flavour() {
	dir=$1
	label=$2
	passed=0
	failed=0
	bad=""
	for t in "$dir"/tests/test_*; do
		[ -x "$t" ] || continue
		# A program whose source is gone (a test file split or removed)
		# is left over from an older build: not run, not counted.
		name=$(basename "$t")
		if [ ! -f "$srcdir/$name.c" ] && [ ! -f "$srcdir/unit/$name.c" ]; then
			echo "$name: skipped, no tests/$name.c (left over from an older build)"
			continue
		fi
		out=$("$t" 2>&1)
		rc=$?
		line=$(printf '%s\n' "$out" | grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed$' | tail -1)
		p=$(printf '%s' "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
		f=$(printf '%s' "$line" | sed -E 's/.*passed, ([0-9]+) failed/\1/')
		[ -n "$p" ] || p=0
		[ -n "$f" ] || f=0
		# A program that ends non-zero, or prints no summary (it died, or
		# was cut short before its end), fails even if it counted no failure.
		if [ -z "$line" ]; then
			out=$(printf '%s\n%s' "$out" "$(basename "$t"): no summary line (exit status $rc)")
			[ "$f" -gt 0 ] || f=1
		elif [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
		fi
		passed=$((passed + p))
		failed=$((failed + f))
		if [ $rc -ne 0 ] || [ -z "$line" ] || [ "$f" -ne 0 ]; then
			printf '%s\n' "$out"
			bad="$bad $(basename "$t")"
		else
			printf '%s\n' "$line"
		fi
	done
	[ -z "$bad" ] || echo "$label ($dir) failed:$bad"
	echo "$label: $passed passed, $failed failed"
}

if [ $# -le 1 ]; then
	run_flavour "${1:-build}" tests
	[ "$failed" -eq 0 ]
	exit
fi

while [ $# -gt 0 ]; do
	if [ $# -lt 2 ]; then
		echo "usage: tests/run.sh BUILD_DIR [FLAVOUR [BUILD_DIR FLAVOUR]...]" >&2
		exit 2
	fi
	run_flavour "$1" "$2"
	shift 2
	total_passed=$((total_passed + passed))
	total_failed=$((total_failed + failed))
	n_flavours=$((n_flavours + 1))
done
[ "$n_flavours" -eq 1 ] || echo "tests: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
