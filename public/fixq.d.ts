// Type declarations for fixq.mjs: fixq's INT8 quantizer for ONNX CNNs,
// running as WebAssembly in a Web Worker.

/** fixq's version (the core reports the same one; init rejects otherwise). */
export declare const version: string;

/**
 * What kind of failure an error is. The message is the core's own text,
 * naming the node, tensor, option or file at fault.
 *
 * - ABORTED: the AbortSignal fired (the error's name is "AbortError")
 * - BAD_MODEL: not a valid ONNX model, or an opset fixq does not run
 * - UNSUPPORTED: the model uses ops fixq cannot run (all are named)
 * - BAD_OPTIONS: an options object the core rejects (unknown key, bad value, unknown target)
 * - BAD_DATA: calibration/evaluation data (an image that fails to decode, no images, a bad shape)
 * - LIMIT: over a size limit (model bytes, number of images)
 * - NOT_IMPLEMENTED: a feature the core does not have yet
 * - OUT_OF_MEMORY, CRASHED: the core stopped; the next call starts a fresh one
 * - START_FAILED: the worker or the wasm could not be loaded (URL, MIME type, CSP)
 * - VERSION_MISMATCH: fixq.mjs and fixq-core.wasm come from different versions
 * - TERMINATED: terminate() was called while the call ran
 * - BAD_REQUEST: a malformed call (a bug in the caller or in fixq)
 * - INTERNAL: a bug in fixq (the message has a stack trace)
 * - FAILED: anything else
 */
export type FixqErrorCode =
  | "ABORTED" | "BAD_MODEL" | "UNSUPPORTED" | "BAD_OPTIONS" | "BAD_DATA" | "LIMIT"
  | "NOT_IMPLEMENTED" | "OUT_OF_MEMORY" | "CRASHED" | "START_FAILED" | "VERSION_MISMATCH"
  | "TERMINATED" | "BAD_REQUEST" | "INTERNAL" | "FAILED";

export declare class FixqError extends Error {
  readonly code: FixqErrorCode;
  /** "AbortError" for code ABORTED, else "FixqError". */
  readonly name: "AbortError" | "FixqError";
}

/** Model bytes: an ArrayBuffer, any typed array or DataView, or a Blob/File. Never detached. */
export type ModelInput = ArrayBuffer | ArrayBufferView | Blob;

/** One image: a File keeps its name (webkitRelativePath for folder inputs). */
export type ImageInput =
  | File
  | Blob
  | ImageBitmap
  | ImageData
  | OffscreenCanvas
  | HTMLCanvasElement
  | HTMLImageElement
  | { name: string; data: Blob | ArrayBuffer | ArrayBufferView };

/**
 * Calibration (or evaluation) data:
 * - images (a FileList or an array): Files/Blobs are read one batch at a
 *   time; pixel sources are encoded to PNG first. They are taken in the
 *   order of their names (as the CLI sorts a folder's files);
 * - a Float32Array of ready model inputs with its shape [N, ...];
 * - a .npy file ({npy: ...}, or a File named *.npy) holding float32 [N, ...].
 */
export type DataInput =
  | ImageInput
  | Iterable<ImageInput>
  | ArrayLike<ImageInput>
  | { data: Float32Array; shape: number[] }
  | { npy: ArrayBuffer | ArrayBufferView | Blob };

export interface Progress {
  /** e.g. "load model", "prepare", "calibrate", "report", "export", "encode", "evaluate", "done" */
  stage: string;
  /** 0..100 within the stage */
  percent: number;
}

export interface CallOptions {
  onProgress?: (p: Progress) => void;
  /** Aborting rejects the call at once with a FixqError of code ABORTED. */
  signal?: AbortSignal;
}

/** Preprocessing of images (the CLI's --preprocess JSON). */
export interface PreprocessOptions {
  /** resize to [H, W] (bilinear) before cropping; default: the model's input size */
  size?: [number, number];
  /** centre crop [H, W] after resizing */
  crop?: [number, number];
  gray?: boolean;
  bgr?: boolean;
  /** multiplies raw 0..255 pixels; default 1/255 */
  scale?: number;
  /** one value or one per channel, applied after scaling: (x - mean) / std */
  mean?: number[];
  std?: number[];
  layout?: "nchw" | "nhwc";
}

/**
 * Quantization options: the same JSON the core takes from every front end
 * (unknown keys are errors). camelCase spellings of the multi-word keys
 * are accepted too. A string is passed to the core as it is.
 */
export interface QuantizeOptions {
  /** activation fix_pos method: "diffs" (default) or "maxmin" */
  method?: "diffs" | "maxmin";
  /** calibration samples (default 100) */
  calib_size?: number;
  calibSize?: number;
  /** calibration batch (default 16) */
  batch_size?: number;
  batchSize?: number;
  cle?: boolean;
  bias_correction?: boolean;
  biasCorrection?: boolean;
  /** fast fine-tuning (AdaQuant) */
  fast_finetune?: boolean;
  fastFinetune?: boolean;
  seed?: number;
  /** fast fine-tuning: Adam iterations per layer (default 300) */
  finetune_iterations?: number;
  finetuneIterations?: number;
  /** fast fine-tuning: learning rate in quantization steps (default 0.05) */
  finetune_lr?: number;
  finetuneLR?: number;
  /** fast fine-tuning: samples per iteration (default 16) */
  finetune_batch?: number;
  finetuneBatch?: number;
  /** DPU target name (e.g. "DPUCZDX8G_ISA1_B4096") */
  target?: string;
  preprocess?: PreprocessOptions;
  /** skip images that fail to decode (named in warnings) instead of failing */
  skip_bad_images?: boolean;
  skipBadImages?: boolean;
  /** a full quantization config: overrides by op type or node name, float nodes */
  config?: object;
}

export interface QuantizeResult {
  /** the quantized QDQ ONNX model, byte-identical to `fixq quantize`'s */
  model: ArrayBuffer;
  /** the quant-info document (fix positions per tensor) */
  quantInfo: any;
  /** the report (per layer: fix positions, SQNR, estimated DPU cycles; warnings) */
  report: any;
  warnings: string[];
  /** quantInfo and report exactly as the core wrote them (for download) */
  quantInfoJSON: string;
  reportJSON: string;
}

export interface InspectOptions {
  /** DPU target name; default the core's default target */
  target?: string;
  /** the shape of the model's one input, sizing dynamic dims */
  inputShape?: number[];
  input_shape?: number[];
  /** shapes by input name */
  inputShapes?: Record<string, number[]>;
  input_shapes?: Record<string, number[]>;
  /** clock for the latency estimate (default 300) */
  clockMHz?: number;
  clock_mhz?: number;
}

export interface InspectResult {
  /** the Inspector's report: per node, device (DPU/CPU) and reason; subgraphs */
  inspector: any;
  /** the latency estimate */
  latency: any;
  /** the same as readable text (what `fixq inspect` prints) */
  text: string;
  /** the JSON exactly as the core wrote it (what `fixq inspect --json` prints) */
  json: string;
}

export interface EvaluateOptions {
  preprocess?: PreprocessOptions;
  /** evaluate at most this many images (evenly spread over the classes); 0 = all */
  limit?: number;
  batch_size?: number;
  batchSize?: number;
  /** run a quantized (QDQ) model on the fixed-point DPU emulator instead of in float */
  dpu?: boolean;
  /** DPU target named in the result's backend (with dpu) */
  target?: string;
  /**
   * Web Workers to split the images over (each evaluates whole batches;
   * the hit counts add up, so the result is exactly one worker's).
   * Default: init's workers, else navigator.hardwareConcurrency, at most 4.
   * 1 keeps to the one worker. Extra workers stay up for the next call
   * until terminate(). If an extra worker cannot start, the call falls
   * back to the one worker, and so do later calls until terminate().
   */
  workers?: number;
}

export interface EvaluateResult {
  /** fraction of images whose top-scoring class is the label */
  top1: number;
  /** with more than 5 classes */
  top5?: number;
  /** images whose top-scoring class is the label (top1 = top1_hits / n) */
  top1_hits: number;
  /** with more than 5 classes and some hits */
  top5_hits?: number;
  /** images evaluated */
  n: number;
  classes: number;
  /** "dpu-emulator <target>" with dpu; absent in float */
  backend?: string;
}

export interface InitOptions {
  /** default: fixq-worker.js next to fixq.mjs */
  workerURL?: string | URL;
  /** default: fixq-core.wasm next to fixq.mjs */
  wasmURL?: string | URL;
  /** default: wasm_exec.js next to fixq.mjs */
  wasmExecURL?: string | URL;
  /** evaluate()'s default number of workers (0: navigator.hardwareConcurrency, at most 4) */
  workers?: number;
}

/**
 * Starts the core in its Web Worker (once) and resolves when it is ready.
 * Optional: every call starts it lazily with the default URLs.
 */
export declare function init(options?: InitOptions): Promise<{ version: string; startMs: number }>;

/** Stops the worker; running calls reject with TERMINATED. The next call starts a new one. */
export declare function terminate(): void;

/** Which nodes a DPU target runs, which fall back to the CPU and why; the latency estimate. */
export declare function inspect(model: ModelInput, options?: InspectOptions | string, call?: { signal?: AbortSignal }): Promise<InspectResult>;

/** Post-training quantization to DPU-style INT8 (a QDQ ONNX model). */
export declare function quantize(
  model: ModelInput,
  calibration: DataInput,
  options?: QuantizeOptions | string,
  call?: CallOptions,
): Promise<QuantizeResult>;

/**
 * Top-1/top-5 accuracy of a float or quantized (QDQ) model on labelled
 * images: each File's path names its class folder ("cat/001.png", as a
 * folder input's webkitRelativePath gives), or pass {name, data} pairs.
 */
export declare function evaluate(
  model: ModelInput,
  data: DataInput,
  options?: EvaluateOptions | string,
  call?: CallOptions,
): Promise<EvaluateResult>;
