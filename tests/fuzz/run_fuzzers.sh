#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time and prints, per target, the executions,
# the speed, the corpus growth and the crashes found. Used by the test command with a short
# time; run it with a longer one to fuzz for real:
#
#   bash tests/fuzz/run_fuzzers.sh 600            # 10 minutes per target
#   bash tests/fuzz/run_fuzzers.sh 30 imap_server # one target
#
# Builds the `fuzz` preset (clang, ASan + UBSan, -fsanitize=fuzzer) first. Each run starts
# from the seed corpus tests/fuzz/corpus/<name>/ (never modified) in a scratch directory
# under build/fuzz/run/<name>/; crashes are kept as build/fuzz/run/<name>/crash-* and make
# the script fail. New findings are not added to the seed corpus automatically: copy a
# small, meaningful input there when it covers something new.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(smtp_server pop3_server imap_server imap_client message dns_message lesson
           pcap_import trace_json)
fi
declare -A dict=([smtp_server]=smtp [pop3_server]=pop3 [imap_server]=imap [imap_client]=imap
                 [message]=message [lesson]=lesson [pcap_import]=pcap
                 [trace_json]=trace_json)

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0
printf '%-14s %12s %10s %8s %8s %s\n' target executions exec/s corpus new crashes
for t in "${targets[@]}"; do
  run=build/fuzz/run/$t
  rm -rf "$run"
  mkdir -p "$run/corpus"
  cp -r "tests/fuzz/corpus/$t/." "$run/corpus/"
  seeds=$(find "$run/corpus" -type f | wc -l)
  args=("$run/corpus" -max_total_time="$seconds" -print_final_stats=1 -timeout=10
        -rss_limit_mb=2048 -artifact_prefix="$run/")
  [ -n "${dict[$t]:-}" ] && args+=(-dict="tests/fuzz/dict/${dict[$t]}.dict")
  status=0
  "build/fuzz/tests/fuzz/fuzz_$t" "${args[@]}" >"$run/log.txt" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/log.txt" | tail -1)
  crashes=$(find "$run" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
            -o -name 'oom-*' \) | wc -l)
  now=$(find "$run/corpus" -type f | wc -l)
  printf '%-14s %12s %10s %8s %8s %s\n' "$t" "${execs:-?}" \
    "$(( ${execs:-0} / (seconds > 0 ? seconds : 1) ))" "$seeds" "$(( now - seeds ))" "$crashes"
  if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    failed=1
    echo "fuzz_$t failed (exit $status); its log: $run/log.txt" >&2
    grep -m 20 -E 'ERROR|SUMMARY|runtime error|Test unit written' "$run/log.txt" >&2 || true
  fi
done
exit "$failed"
