#!/bin/sh
# Runs every benchmark of one build and prints rtmv2 against the DPDK anchor.
#
#   bench/run.sh BUILD_DIR TABLE        (make bench runs: bench/run.sh build data/full-table-2023.txt.gz)
#
# Order: the module benches (bench_trie, bench_timer, and any other bench_*
# program, which gets TABLE as its only argument), then bench_dpdk (the anchor,
# where it was built), then bench_rib with the anchor's output, then a summary
# table: operation, rtmv2 operations/s, DPDK operations/s, ratio, target;
# then the concurrency table (bench_mt, with bench_dpdk's rte_rib readers).
# Figures only: the exit status is non-zero only when a bench failed (a wrong
# answer, an unreadable table), never because of speed.  See bench/README.md.
set -u
dir=${1:-build}
table=${2:-data/full-table-2023.txt.gz}
status=0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
echo "== rtmv2 benchmarks: ${cpu:-unknown CPU}, $(nproc) CPUs, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo "   table: $table; build: $dir; $(date -u '+%Y-%m-%d %H:%M UTC')"

for b in "$dir"/bench/bench_*; do
	[ -x "$b" ] || continue
	name=$(basename "$b")
	case $name in
	bench_rib | bench_dpdk) continue ;;
	bench_timer) set -- ;;
	*) set -- "$table" ;;
	esac
	echo
	echo "== $name"
	"$b" "$@" >"$tmp/$name.out" 2>&1 || { echo "$name: FAILED" >>"$tmp/$name.out"; status=1; }
	cat "$tmp/$name.out"
done

anchor=""
echo
if [ -x "$dir/bench/bench_dpdk" ]; then
	echo "== bench_dpdk (the anchor: DPDK rte_rib / rte_rib6)"
	if "$dir/bench/bench_dpdk" "$table" >"$tmp/dpdk.out" 2>&1; then
		anchor="--anchor $tmp/dpdk.out"
	else
		echo "bench_dpdk did not complete: no anchor in this run"
	fi
	cat "$tmp/dpdk.out"
else
	echo "== bench_dpdk: not built (DPDK not installed: apt-get install dpdk-dev); no anchor"
	: >"$tmp/dpdk.out"
fi

echo
echo "== bench_rib"
# shellcheck disable=SC2086 # $anchor is two words or none
"$dir/bench/bench_rib" "$table" $anchor >"$tmp/rib.out" 2>&1 || { status=1; echo "bench_rib: FAILED"; }
cat "$tmp/rib.out"

echo
echo "== summary (operations per second, one thread; ratio = rtmv2 / DPDK, above 1: rtmv2 faster)"
awk -v dpdk="$tmp/dpdk.out" '
BEGIN {
	while ((getline line < dpdk) > 0) {
		split(line, f, " ")
		if (f[1] == "R")
			anchor[f[2]] = f[3]
		else if (f[1] == "M")
			dmem[f[2]] = f[3]
	}
	name["a4"] = "a. insert, IPv4";                  name["a6"] = "a. insert, IPv6"
	name["b4"] = "b. second protocol, IPv4";         name["b6"] = "b. second protocol, IPv6"
	name["c4in"] = "c. lookup inside prefixes, IPv4"; name["c4rnd"] = "c. lookup random, IPv4"
	name["c6in"] = "c. lookup inside prefixes, IPv6"; name["c6rnd"] = "c. lookup random, IPv6"
	name["d4"] = "d. metric change, IPv4";           name["d6"] = "d. metric change, IPv6"
	name["e4"] = "e. delete every route, IPv4";      name["e6"] = "e. delete every route, IPv6"
	name["a4w"] = "a. insert, IPv4, warm heap"
	name["x4"] = "x. exact match, IPv4";             name["x6"] = "x. exact match, IPv6"
	printf "  %-34s %12s %12s %7s  %s\n", "operation", "rtmv2", "DPDK", "ratio", "target"
}
$1 == "R" {
	k = $2; v = $3; rib[k] = v
	ak = k == "a4w" ? "a4" : k
	d = (ak in anchor) ? anchor[ak] : ""
	target = ""
	if (k ~ /^a[46]w?$/ || k ~ /^c[46]/)
		target = d == "" ? ">= DPDK" : (v >= d ? ">= DPDK: met" : ">= DPDK: NOT met")
	else if (k ~ /^x[46]$/)
		target = d == "" ? ">= 1.5x DPDK" : (v >= 1.5 * d ? ">= 1.5x DPDK: met" : ">= 1.5x DPDK: NOT met")
	else if (k ~ /^e[46]$/) {
		a = "a" substr(k, 2)
		target = (a in rib) ? (v >= rib[a] ? ">= a: met" : ">= a: NOT met") : ">= a"
	}
	printf "  %-34s %12.0f %12s %7s  %s\n", (k in name) ? name[k] : k, v,
	       d == "" ? "-" : sprintf("%.0f", d), d == "" ? "-" : sprintf("%.2f", v / d), target
}
$1 == "M" && $2 == "a.rss" {
	mem = mem sprintf("  %-34s %12s bytes/route   target <= 128: %s\n", "memory after a (VmRSS)", $3,
			  $3 <= 128 ? "met" : "NOT met")
	if ("dpdk.a4" in dmem)
		mem = mem sprintf("  %-34s %12s bytes/prefix  (pool of 2 nodes per prefix; %s bytes per node)\n",
				  "DPDK rte_rib, IPv4 (VmRSS)", dmem["dpdk.a4"], dmem["dpdk.node"])
}
$1 == "M" && $2 == "b.rss" {
	mem = mem sprintf("  %-34s %12s bytes/route   target <= 64: %s\n", "memory added per B route", $3,
			  $3 <= 64 ? "met" : "NOT met")
}
END { printf "%s", mem }
' "$tmp/rib.out"
# The other benches state their own targets on lines starting with "target:".
for f in "$tmp"/*.out; do
	case $f in */dpdk.out | */rib.out) continue ;; esac
	grep '^target:' "$f" 2>/dev/null | sed "s|^|  $(basename "$f" .out) |"
done

# Concurrency (issue 12, item 5a): bench_mt's readers and writer, with rte_rib's
# 1 and 2 readers from bench_dpdk as the hardware's scaling.  R lines give the
# rates, C lines the context switches per second and the CPUs busy.
if [ -s "$tmp/bench_mt.out" ]; then
	echo
	echo "== concurrency (full IPv4 table; threads not pinned; medians of bench_mt's and bench_dpdk's rounds)"
	awk -v dpdk="$tmp/dpdk.out" '
	function row(label, r, w, c) {
		printf "  %-34s %12s %12s %10s %6s\n", label,
		       r in rate ? sprintf("%.0f", rate[r]) : "-", w in rate ? sprintf("%.0f", rate[w]) : "-",
		       c in csw ? sprintf("%.0f", csw[c]) : "-", c in cpus ? sprintf("%.2f", cpus[c]) : "-"
	}
	function ratio(label, a, b, min) {
		if (!(a in rate) || !(b in rate) || rate[b] <= 0)
			return
		v = rate[a] / rate[b]
		if (min == "")
			t = "(the hardware: for reference)"
		else
			t = sprintf(">= %s: %s", min, v >= min ? "met" : sprintf("NOT met (%.1f%% of it)", 100 * v / min))
		printf "  %-34s %12.4f  %s\n", label, v, t
	}
	$1 == "R" { rate[$2] = $3 }
	$1 == "C" { csw[$2] = $3; cpus[$2] = $4 }
	END {
		printf "  %-34s %12s %12s %10s %6s\n", "configuration", "reads/s", "writes/s", "ctx sw/s", "CPUs"
		row("1 reader", "mt.r1", "", "mt.r1")
		row("2 readers", "mt.r2", "", "mt.r2")
		row("the writer alone", "", "mt.w", "mt.w")
		row("1 reader + the writer", "mt.r1w.r", "mt.r1w.w", "mt.r1w")
		row("2 readers + the writer", "mt.r2w.r", "mt.r2w.w", "mt.r2w")
		if ("mt.dpdk1" in rate) {
			row("rte_rib, 1 reader", "mt.dpdk1", "", "mt.dpdk1")
			row("rte_rib, 2 readers", "mt.dpdk2", "", "mt.dpdk2")
		}
		printf "  %-34s %12s  %s\n", "ratio", "value", "target"
		ratio("reads with the writer / alone", "mt.r1w.r", "mt.r1", 0.8)
		ratio("writes with a reader / alone", "mt.r1w.w", "mt.w", 0.5)
		ratio("2 readers / 1 reader", "mt.r2", "mt.r1", 1.7)
		ratio("the writer with 2 readers / alone", "mt.r2w.w", "mt.w", 0.3)
		ratio("rte_rib 2 readers / 1 reader", "mt.dpdk2", "mt.dpdk1", "")
	}' "$tmp/bench_mt.out" "$tmp/dpdk.out"
fi
exit $status
