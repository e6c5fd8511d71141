# fixq: see README.md. `make demo` runs the product on the bundled demo,
# `make test` runs every test. Both install what they need (scripts/setup.sh).
SHELL := /bin/bash
export FIXQ_CACHE ?= $(HOME)/.cache/fixq
export NODE_PATH := $(FIXQ_CACHE)/node/node_modules
GOBIN := $(shell go env GOPATH)/bin
export PATH := $(GOBIN):$(PATH)

.PHONY: all setup build proto check-gen check-pure vet unit unit-purego unit-wasm fuzz test bench bench-browser bench-browser-rec bench-ptq ocr-fidelity evidence-finetune evidence-adaquant-sweep timing-adaquant-paddle clean

# Front ends: the browser module, the UI (make demo, make site), the Worker.
-include scripts/module/Makefile.inc
-include scripts/ui/Makefile.inc
-include scripts/worker/Makefile.inc

all: build

setup:
	scripts/setup.sh all
	scripts/worker/setup.sh

build:
	go build -o bin/fixq ./cmd/fixq

# Generated code: ONNX protobuf types from Debian's official onnx.proto.
proto:
	cp /usr/include/onnx/onnx.proto core/onnx/onnxpb/onnx.proto
	cd core/onnx/onnxpb && protoc --go_out=. --go_opt=Monnx.proto=fixq/core/onnx/onnxpb \
		--go_opt=paths=source_relative onnx.proto

# CI check: generated files regenerate unchanged.
check-gen: proto
	git diff --exit-code -- core/onnx/onnxpb || { echo "generated code is stale: run make proto and commit" >&2; exit 1; }

# core/ and dpu/ build for js/wasm and import no syscall/js, net/http or os.
check-pure:
	GOOS=js GOARCH=wasm go build ./core/... ./dpu/...
	@bad=$$(GOOS=js GOARCH=wasm go list -f '{{.ImportPath}}: {{join .Imports " "}}' ./core/... ./dpu/... | grep -E '(^| )(syscall/js|net/http|os)( |$$)' || true); \
	if [ -n "$$bad" ]; then echo "impure core/dpu packages:"; echo "$$bad"; exit 1; fi; echo "check-pure: ok"

vet:
	go vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$\|_gen\.go$$'))" || { gofmt -l .; echo "gofmt needed" >&2; exit 1; }

unit:
	go test -count=1 ./...

# The pure Go kernels (used on wasm) on amd64, and the kernels under wasm.
unit-purego:
	go test -count=1 -short -tags purego ./core/ops

unit-wasm:
	PATH="$$PATH:$$(go env GOROOT)/lib/wasm" GOOS=js GOARCH=wasm go test -count=1 ./core/ops -run 'Portable|DwRow|Axpy|TestConv|Sgemm|Gemm|MatMul|Pool|BatchNorm|Elementwise|EW'
	PATH="$$PATH:$$(go env GOROOT)/lib/wasm" GOOS=js GOARCH=wasm go test -count=1 -short ./core/engine

# Short, bounded fuzzing of the decoders (seed corpus: real models).
fuzz:
	go test ./core/onnx -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime 20s
	go test ./core/onnx -run '^$$' -fuzz '^FuzzDecodeDifferential$$' -fuzztime 20s
	go test ./core/npy -run '^$$' -fuzz FuzzRead -fuzztime 15s

test: setup check-gen check-ui-gen check-pure vet unit unit-purego unit-wasm fuzz test-module test-worker test-ui
	@echo "make test: all passed"

bench:
	scripts/bench-float.sh
	go test ./core/ops -run '^$$' -bench 'Conv|Sgemm' -benchtime=20x
	go test ./dpu -run '^$$' -bench Int8Conv -benchtime 20x

# Evidence runs (not part of make test): browser vs native timing, PTQ timing vs
# PyTorch, PaddleOCR fidelity.
bench-browser:
	scripts/bench-browser.sh

# The 10.8 MB PaddleOCR recogniser with 200 images in a tab (about 25 min).
bench-browser-rec:
	CASES=rec_quantize scripts/bench-browser.sh

bench-ptq:
	scripts/bench-ptq.sh

ocr-fidelity:
	/usr/bin/python3 scripts/ocr-fidelity/make_text_images.py /tmp/fixq-ocr
	FIXQ_OCR_DIR=/tmp/fixq-ocr go test ./core/quant -run TestPaddleFidelity -v -timeout 4h

# Opt-in evidence for AdaQuant/QAT (about 30 min) and AdaQuant timing on PaddleOCR cls.
evidence-finetune:
	FIXQ_EVIDENCE=mbv2_fmnist.onnx go test -run 'TestEvidence$$' -v -timeout 4h ./core/train/finetune

# AdaQuant settings and seeds on a validation split (training images
# 50000-59999), then the test set; rows as in core/train/finetune/sweep_test.go.
SWEEP_ROWS ?= ff=0,n=100;ff=0,n=100,cle=1;ff=1,n=100,seed=1;ff=1,n=100,seed=2;ff=1,n=100,seed=3;ff=1,n=100,cle=1,seed=1
evidence-adaquant-sweep:
	FIXQ_SWEEP=mbv2_fmnist.onnx FIXQ_SWEEP_ROWS='$(SWEEP_ROWS)' go test -run 'TestAdaQuantSweep$$' -v -timeout 4h ./core/train/finetune

timing-adaquant-paddle:
	FIXQ_PADDLE=1 go test -run PaddleTiming -v ./core/train/finetune

clean:
	rm -rf bin build site
