#!/bin/bash
# What a "low priority" process started in a session of its own (as Django's helper is: detached, for killing its
# process group) takes from the editor's processes on a Linux kernel with autogroups, with and without its group's
# nice value raised (as Django's helper's is, to 5: lowerPriority in src/core/django/index.ts). Two busy
# Node processes of this session stand for the extension host and the scan worker; a busy loop at nice 10 in a
# session of its own stands for the helper.
# Usage: bash bench/autogroup.sh [runs]
set -u
[ -e /proc/self/autogroup ] || { echo "no autogroups on this kernel: a process's own nice value is what counts"; exit 0; }
work() {
  local s e a b
  s=$(date +%s%N)
  node -e 'let x=0; for (let i=0;i<3e8;i++) x+=i;' & a=$!
  node -e 'let x=0; for (let i=0;i<3e8;i++) x+=i;' & b=$!
  wait $a $b
  e=$(date +%s%N)
  echo $(( (e - s) / 1000000 ))
}
echo "the two processes alone: $(work) ms"
for run in $(seq 1 "${1:-2}"); do
  for group in no yes; do
    setsid nice -n 10 node -e 'for (;;);' & sleep 0.3
    hog=$(pgrep -n -f "for \(;;\);")
    [ "$group" = yes ] && echo 10 > "/proc/$hog/autogroup"
    took=$(work)
    kill "$hog"
    echo "beside the helper at nice 10, its group's nice raised: $group: $took ms"
  done
done
