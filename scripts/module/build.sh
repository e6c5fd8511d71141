#!/bin/bash
# scripts/module/build.sh [wasm|module]
#   wasm:   public/fixq-core.wasm (the core for the Web Worker) and public/wasm_exec.js
#   module: wasm, then build/module/: the ES module as an npm package folder
#           (fixq.mjs, fixq.d.ts, fixq-worker.js, wasm_exec.js, fixq-core.wasm,
#           package.json, README.md, THIRD_PARTY_NOTICES.txt, examples/embed.html). Every URL inside
#           is relative to fixq.mjs, so the folder works under any path prefix.
set -euo pipefail
cd "$(dirname "$0")/../.."
what=${1:-module}

GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o public/fixq-core.wasm ./wasm/browser
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" public/wasm_exec.js
[ "$what" = wasm ] && exit 0

# One version everywhere: the core's job.Version, fixq.mjs, package.json.
version=$(sed -n 's/^const Version = "\(.*\)"$/\1/p' core/job/job.go)
mjs_version=$(sed -n 's/^export const version = "\(.*\)";$/\1/p' public/fixq.mjs)
if [ -z "$version" ] || [ "$version" != "$mjs_version" ]; then
	echo "build.sh: core/job Version \"$version\" != public/fixq.mjs version \"$mjs_version\"" >&2
	exit 1
fi

out=build/module
rm -rf "$out"
mkdir -p "$out"
cp public/fixq.mjs public/fixq.d.ts public/fixq-worker.js public/wasm_exec.js public/fixq-core.wasm "$out"/
mkdir -p "$out"/examples
cp public/examples/embed.html "$out"/examples/
cp scripts/module/README.md "$out"/README.md
sed "s/@VERSION@/$version/" scripts/module/package.json.in >"$out"/package.json

# Licences of what the wasm and wasm_exec.js contain: Go and every module
# linked into wasm/browser.
{
	echo "fixq-core.wasm and wasm_exec.js contain code from the projects below."
	echo
	echo "==== Go (runtime, standard library, wasm_exec.js) ===="
	cat "$(go env GOROOT)/LICENSE"
	GOOS=js GOARCH=wasm go list -deps -f '{{with .Module}}{{if not .Main}}{{.Path}} {{.Dir}}{{end}}{{end}}' ./wasm/browser | sort -u |
		while read -r path dir; do
			echo
			echo "==== $path ===="
			cat "$dir/LICENSE"
		done
} >"$out"/THIRD_PARTY_NOTICES.txt

echo "build.sh: wrote $out (fixq $version): $(du -sh "$out" | cut -f1)"
