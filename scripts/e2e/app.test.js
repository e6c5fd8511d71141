// app.test.js: the browser app's end-to-end test (issue 6), driving Debian's
// Chromium with playwright-core against the static site (make site):
//
//   1. Load demo, Inspect, Quantize on the page; the quantized model, quant
//      info and report downloaded from the page are byte-identical to what
//      `fixq quantize` writes natively for the same inputs and options, and
//      the model loads in onnxruntime-node.
//   2. Float vs quantized top-1 shown on the page equal `fixq eval` (and `fixq eval --dpu`) natively.
//   3. The per-layer table sorts; the chart is drawn; a screenshot of the
//      result page goes to test-artifacts/app-result.png.
//   4. Errors: a file that is not ONNX, a calibration image that does not
//      decode (and the same with "skip" ticked), Cancel during a job; the
//      page stays usable after each.
//   5. Every request the page made (page and worker) went to the site's
//      origin, was a GET of a file that exists in the site folder.
//
// Usage: node scripts/e2e/app.test.js [SITE_DIR]   (default site/; needs
// bin/fixq, or FIXQ=path). NODE_PATH must hold playwright-core and
// onnxruntime-node (the Makefile sets it). Under CI=true a missing tool or
// asset fails the test; otherwise it is skipped with the reason.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync, spawn } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const SITE = path.resolve(process.argv[2] || path.join(ROOT, 'site'));
const FIXQ = process.env.FIXQ || path.join(ROOT, 'bin', 'fixq');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const CI = process.env.CI === 'true';
const TIMEOUT = 10 * 60 * 1000;

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}
function missing(what) {
  if (CI) {
    console.error(`FAIL missing: ${what}`);
    process.exit(1);
  }
  console.log(`SKIP missing: ${what}`);
  process.exit(0);
}
function need(file, what) {
  if (!fs.existsSync(file)) missing(`${what} (${file})`);
}
function tryRequire(name) {
  try {
    return require(name);
  } catch {
    return missing(`npm package ${name} (NODE_PATH=${process.env.NODE_PATH || ''}; run scripts/setup.sh)`);
  }
}

// quantizeNatively runs `fixq quantize` with the options JSON the page used.
function quantizeNatively(optionsJSON, model, calibDir, out) {
  const o = JSON.parse(optionsJSON);
  const args = ['quantize', model, '--calib', calibDir, '-o', out, '--quiet'];
  const flag = { method: '--method', calib_size: '--calib-size', batch_size: '--batch', seed: '--seed' };
  const bool = { cle: '--cle', bias_correction: '--bias-corr', fast_finetune: '--fast-finetune', skip_bad_images: '--skip-bad-images' };
  for (const [k, v] of Object.entries(o)) {
    if (flag[k]) args.push(flag[k], String(v));
    else if (bool[k]) { if (v) args.push(bool[k]); }
    else if (k === 'preprocess') {
      const p = out.replace(/\.onnx$/, '.preprocess.json');
      fs.writeFileSync(p, JSON.stringify(v));
      args.push('--preprocess', p);
    } else if (k !== 'target') throw new Error(`option ${k} has no CLI flag in this test`);
  }
  const t0 = process.hrtime.bigint();
  execFileSync(FIXQ, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, args };
}

function evalNatively(model, dir, preprocess, ...extra) {
  const tmp = path.join(os.tmpdir(), `fixq-e2e-pre-${process.pid}.json`);
  fs.writeFileSync(tmp, JSON.stringify(preprocess || {}));
  return JSON.parse(execFileSync(FIXQ, ['eval', ...extra, model, '--data', dir, '--preprocess', tmp, '--json']).toString());
}

// serveSite starts `fixq serve --port 0 SITE` and resolves with its origin.
function serveSite() {
  const proc = spawn(FIXQ, ['serve', '--port', '0', SITE], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (m) resolve({ proc, origin: m[0] });
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`fixq serve exited (${code}): ${out}`)));
    setTimeout(() => reject(new Error(`fixq serve printed no address: ${out}`)), 10000);
  });
}

const sameBytes = (a, b) => a.length === b.length && Buffer.compare(a, b) === 0;

async function main() {
  need(CHROMIUM, 'Chromium (apt-get install chromium)');
  need(FIXQ, 'the fixq CLI (make build)');
  for (const f of ['index.html', 'app-glue.js', 'fixq-ui.wasm', 'fixq.mjs', 'wasm_exec.js', 'demo/manifest.json']) {
    need(path.join(SITE, f), `site file ${f} (make site)`);
  }
  const { chromium } = tryRequire('playwright-core');
  tryRequire('onnxruntime-node');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fixq-e2e-'));
  const manifest = JSON.parse(fs.readFileSync(path.join(SITE, 'demo', 'manifest.json')));
  const demoModel = path.join(SITE, 'demo', manifest.model || 'model.onnx');

  const { proc: server, origin } = await serveSite();
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const requests = [];
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
  // Record every request; let only same-origin ones through.
  await context.route('**/*', (route) => {
    const r = route.request();
    requests.push({ url: r.url(), method: r.method() });
    return r.url().startsWith(origin + '/') ? route.continue() : route.abort();
  });
  context.on('request', (r) => requests.push({ url: r.url(), method: r.method() }));
  try {
    await happyPath(context, origin, work, demoModel, manifest);
    await errorPaths(context, work, manifest);
  } finally {
    await browser.close();
    server.kill();
  }

  // 5. Privacy: only same-origin GETs of files that exist in the site.
  const bad = requests.filter((r) => {
    if (r.url.startsWith('blob:' + origin + '/') || r.url.startsWith('data:')) return false;
    if (!r.url.startsWith(origin + '/') || r.method !== 'GET') return true;
    let p = decodeURIComponent(new URL(r.url).pathname);
    if (p.endsWith('/')) p += 'index.html';
    return !fs.existsSync(path.join(SITE, p));
  });
  const distinct = [...new Set(requests.map((r) => r.url))];
  check(bad.length === 0, `${distinct.length} distinct URLs requested, all same-origin static files` +
    (bad.length ? `; not: ${[...new Set(bad.map((r) => r.method + ' ' + r.url))].join(', ')}` : ''));
  check(distinct.some((u) => u.endsWith('/fixq-core.wasm')), 'the worker fetched fixq-core.wasm (worker requests are recorded)');
  if (failures) {
    console.error(`app.test.js: ${failures} check(s) failed`);
    process.exit(1);
  }
  console.log('app.test.js: all passed');
}

async function openApp(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  page.logs = logs;
  await page.goto(context.origin || '/', { waitUntil: 'load' });
  await page.getByRole('button', { name: 'Load demo' }).waitFor();
  return page;
}

async function download(page, name, dest) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name, exact: true }).click()]);
  await d.saveAs(dest);
  return { file: dest, suggested: d.suggestedFilename(), bytes: fs.readFileSync(dest) };
}

async function happyPath(context, origin, work, demoModel, manifest) {
  context.origin = origin + '/';
  const t0 = Date.now();
  const page = await openApp(context);
  console.log(`page ready in ${Date.now() - t0} ms`);

  await page.getByRole('button', { name: 'Load demo' }).click();
  await page.getByText('Demo loaded').waitFor();
  check(await page.getByLabel('Mean', { exact: true }).inputValue() === manifest.mean.join(', '), 'Load demo fills Mean from the manifest');
  check(await page.getByLabel('Input size', { exact: true }).inputValue() === `${manifest.input.shape[2]}x${manifest.input.shape[3]}`, 'Load demo fills Input size');
  check(await page.getByLabel('Channel order', { exact: true }).inputValue() === manifest.channels, 'Load demo sets Channel order');

  await page.getByRole('button', { name: 'Inspect', exact: true }).click();
  const inspector = page.getByRole('table', { name: 'Inspector' });
  await inspector.waitFor();
  const subgraphs = await page.locator('#r-subgraphs').innerText();
  check(/\d+ DPU subgraphs?, \d+ CPU subgraphs?/.test(subgraphs), `Inspector summary: ${subgraphs}`);
  check(await inspector.locator('tbody tr').count() > 3, 'Inspector table has rows');
  check(/FPS/.test(await page.locator('#r-latency').innerText()), 'estimated latency/FPS shown');

  // 1. Quantize.
  await page.getByRole('button', { name: 'Quantize', exact: true }).click();
  const bar = page.getByRole('progressbar');
  let sawBar = false;
  try {
    await bar.waitFor({ timeout: 5000 });
    const now = Number(await bar.getAttribute('aria-valuenow'));
    sawBar = now >= 0 && now <= 100 && (await page.locator('.stage').innerText()).length > 0;
  } catch { /* a fast job may finish first */ }
  check(sawBar, 'progress bar with aria-valuenow and a stage while quantizing');
  await page.getByRole('link', { name: 'Download quantized model' }).waitFor();
  const browserMs = await page.evaluate(() => globalThis.fixqApp.lastQuantizeMs);
  const options = await page.locator('#r-options').textContent();
  console.log(`options used: ${options}`);

  const got = {
    model: await download(page, 'Download quantized model', path.join(work, 'browser.onnx')),
    info: await download(page, 'Download quant info', path.join(work, 'browser.quant_info.json')),
    report: await download(page, 'Download report', path.join(work, 'browser.report.json')),
  };
  check(got.model.suggested.endsWith('.onnx') && got.info.suggested.endsWith('.json') && got.report.suggested.endsWith('.json'),
    `download names: ${got.model.suggested}, ${got.info.suggested}, ${got.report.suggested}`);

  const nativeOut = path.join(work, 'native.onnx');
  const native = quantizeNatively(options, demoModel, path.join(path.dirname(demoModel), 'calib'), nativeOut);
  console.log(`native: fixq ${native.args.join(' ')}`);
  check(sameBytes(got.model.bytes, fs.readFileSync(nativeOut)), `quantized model byte-identical to fixq quantize (${got.model.bytes.length} bytes)`);
  check(sameBytes(got.info.bytes, fs.readFileSync(nativeOut.replace(/\.onnx$/, '.quant_info.json'))), 'quant info byte-identical');
  check(sameBytes(got.report.bytes, fs.readFileSync(nativeOut.replace(/\.onnx$/, '.report.json'))), 'report byte-identical');
  const load = execFileSync('node', [path.join(ROOT, 'scripts', 'ort', 'load.js'), got.model.file]).toString().trim();
  check(!/"error"/.test(load) && /"inputs"/.test(load), `onnxruntime-node loads the downloaded model: ${load}`);
  console.log(`TIMING quantize demo (${manifest.calib.length} images): browser ${(browserMs / 1000).toFixed(2)} s, native CLI ${(native.ms / 1000).toFixed(2)} s (process included), ratio ${(browserMs / native.ms).toFixed(2)}`);

  // 2. Top-1 against fixq eval.
  await page.locator('#r-top1').waitFor();
  const top1 = await page.locator('#r-top1').innerText();
  const pre = JSON.parse(options).preprocess;
  const evalDir = path.join(path.dirname(demoModel), manifest.eval_dir || 'eval');
  const fEval = evalNatively(demoModel, evalDir, pre);
  const qEval = evalNatively(nativeOut, evalDir, pre, '--dpu'); // the page scores the quantized model on the DPU emulator
  const want = `float ${(100 * fEval.top1).toFixed(2)}%, quantized ${(100 * qEval.top1).toFixed(2)}%`;
  check(top1.startsWith(want) && top1.includes(`on ${fEval.n} images`), `top-1 "${top1}" matches fixq eval (${want}, n=${fEval.n})`);

  // 3. Sorting, chart, screenshot.
  const table = page.getByRole('table', { name: 'Per-layer quantization' });
  const sqnrHeader = table.locator('th', { has: page.getByRole('button', { name: 'SQNR (dB)' }) });
  await table.getByRole('button', { name: 'SQNR (dB)' }).click();
  const sqnr = (await table.locator('tbody tr td:nth-child(8)').allInnerTexts()).map(Number).filter((x) => !Number.isNaN(x));
  check(await sqnrHeader.getAttribute('aria-sort') === 'ascending' && sqnr.length > 1 && sqnr.every((v, i) => i === 0 || sqnr[i - 1] <= v),
    `SQNR column sorts ascending (${sqnr.slice(0, 4).join(', ')}, ...)`);
  await table.getByRole('button', { name: 'DPU cycles' }).click();
  const cyc = (await table.locator('tbody tr td:nth-child(9)').allInnerTexts()).map((s) => Number(s.replace(/\s/g, ''))).filter((x) => !Number.isNaN(x));
  check(cyc.length > 1 && cyc.every((v, i) => i === 0 || cyc[i - 1] >= v), `DPU cycles column sorts descending (${cyc.slice(0, 3).join(', ')}, ...)`);
  check(await page.locator('.chart svg').count() === 1, 'the activation chart is drawn as inline SVG');
  const layers = page.getByLabel('Layer', { exact: true });
  const second = await layers.locator('option').nth(1).getAttribute('value');
  await layers.selectOption(second);
  check((await page.locator('.chart svg').getAttribute('aria-label')).includes(second), 'choosing another layer redraws the chart');
  await page.screenshot({ path: path.join(ARTIFACTS, 'app-result.png'), fullPage: true });
  console.log(`screenshot: ${path.join(ARTIFACTS, 'app-result.png')}`);
  check(page.logs.filter((l) => l.startsWith('pageerror')).length === 0, `no uncaught page errors ${page.logs.filter((l) => l.startsWith('pageerror')).join('; ')}`);
  await page.close();
}

async function errorPaths(context, work, manifest) {
  const page = await openApp(context);
  const alert = page.getByRole('alert');

  // Drag and drop: a model and two images dropped on the page fill the
  // model and the calibration set.
  await page.evaluate(async (paths) => {
    const get = async (p, name, type) => new File([await (await fetch(p)).blob()], name, { type });
    const dt = new DataTransfer();
    dt.items.add(await get('demo/' + paths.model, 'dropped.onnx', 'application/octet-stream'));
    for (const p of paths.calib) dt.items.add(await get('demo/' + p, p.split('/').pop(), 'image/png'));
    document.querySelector('main').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { model: manifest.model || 'model.onnx', calib: manifest.calib.slice(0, 2) });
  await page.getByText(/^dropped\.onnx: \d+ KB, input/).waitFor();
  check(await page.getByText('2 images', { exact: true }).count() === 1 && await page.getByRole('button', { name: 'Quantize', exact: true }).isEnabled(),
    'dropping a model and 2 images fills the model and the calibration set');

  // Not ONNX.
  await page.getByLabel('ONNX model', { exact: true }).setInputFiles({ name: 'broken.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('this is not an ONNX model, just text\n') });
  await alert.waitFor();
  const msg = await alert.innerText();
  check(/not an ONNX model/.test(msg) && /broken\.onnx/.test(msg), `a text file as model: "${msg.replace(/\n/g, ' ')}"`);
  check(await page.getByRole('button', { name: 'Inspect', exact: true }).isDisabled(), 'Inspect is disabled without a valid model');

  // The page stays usable: the demo loads and inspects.
  await page.getByRole('button', { name: 'Load demo' }).click();
  await page.getByText('Demo loaded').waitFor();
  check(await alert.count() === 0, 'the error clears when a good model is loaded');

  // A calibration image that does not decode.
  const calibDir = path.join(SITE, 'demo', 'calib');
  const good = fs.readdirSync(calibDir).sort().slice(0, 3).map((f) => ({ name: f, mimeType: 'image/png', buffer: fs.readFileSync(path.join(calibDir, f)) }));
  const brokenPNG = { name: 'zz_broken.png', mimeType: 'image/png', buffer: Buffer.concat([fs.readFileSync(path.join(calibDir, good[0].name)).subarray(0, 40), Buffer.from('garbage')]) };
  await page.getByLabel('Calibration image files', { exact: true }).setInputFiles([...good, brokenPNG]);
  await page.getByRole('button', { name: 'Quantize', exact: true }).click();
  await alert.waitFor();
  const imsg = await alert.innerText();
  check(/image could not be used/i.test(imsg) && /zz_broken\.png/.test(imsg), `a broken PNG: "${imsg.replace(/\n/g, ' ')}"`);
  await page.getByLabel('Skip images that fail to decode').check();
  await page.getByRole('button', { name: 'Quantize', exact: true }).click();
  await page.getByRole('link', { name: 'Download quantized model' }).waitFor();
  const warn = await page.locator('.warnings').innerText().catch(() => '');
  check(/zz_broken\.png/.test(warn), `with "skip" ticked it quantizes and warns: "${warn.split('\n')[0]}"`);

  // Cancel during a job.
  await page.getByRole('button', { name: 'Load demo' }).click();
  await page.getByText('Demo loaded').waitFor();
  await page.getByRole('button', { name: 'Quantize', exact: true }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await alert.waitFor();
  check(/Cancelled/.test(await alert.innerText()), 'Cancel stops the job and says so');
  check(await page.getByRole('button', { name: 'Quantize', exact: true }).isEnabled(), 'Quantize is enabled again after Cancel');
  await page.getByRole('button', { name: 'Inspect', exact: true }).click();
  await page.getByRole('table', { name: 'Inspector' }).waitFor();
  check(true, 'the page is usable after the errors (Inspect works)');
  await page.screenshot({ path: path.join(ARTIFACTS, 'app-errors.png'), fullPage: true });
  await page.close();
}

main().catch((e) => {
  console.error(`FAIL ${e.stack || e}`);
  process.exit(1);
});
