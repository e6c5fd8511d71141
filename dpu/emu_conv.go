package dpu

import (
	"fixq/core/graph"
)

// ---- geometry ----

// win2 is a 2-D sliding window (Conv, pools) read from ONNX attributes.
type win2 struct {
	kh, kw, sh, sw, dh, dw int
	pt, pl, pb, pr         int
	autoPad                string
	ceil                   bool
}

// readWin2 reads strides, dilations, pads and auto_pad for a kh×kw
// kernel. ok is false for attributes that are not 2-D.
func readWin2(n *graph.Node, kh, kw int) (w win2, ok bool, err error) {
	w.kh, w.kw = kh, kw
	ints := func(name string, count int, def int) ([]int, bool, error) {
		v, err := n.AttrInts(name, nil)
		if err != nil {
			return nil, false, err
		}
		out := make([]int, count)
		if v == nil {
			for i := range out {
				out[i] = def
			}
			return out, true, nil
		}
		if len(v) != count {
			return nil, false, nil
		}
		for i, x := range v {
			if x < 0 || x > 1<<20 {
				return nil, false, n.Errorf("dpu: emulator: %s %v out of range", name, v)
			}
			out[i] = int(x)
		}
		return out, true, nil
	}
	s, ok1, err := ints("strides", 2, 1)
	if err != nil {
		return w, false, err
	}
	d, ok2, err := ints("dilations", 2, 1)
	if err != nil {
		return w, false, err
	}
	p, ok3, err := ints("pads", 4, 0)
	if err != nil {
		return w, false, err
	}
	if !ok1 || !ok2 || !ok3 || s[0] < 1 || s[1] < 1 || d[0] < 1 || d[1] < 1 || kh < 1 || kw < 1 {
		return w, false, nil
	}
	w.sh, w.sw, w.dh, w.dw = s[0], s[1], d[0], d[1]
	w.pt, w.pl, w.pb, w.pr = p[0], p[1], p[2], p[3]
	w.autoPad, err = n.AttrString("auto_pad", "NOTSET")
	if err != nil {
		return w, false, err
	}
	switch w.autoPad {
	case "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID":
	default:
		return w, false, nil
	}
	if w.autoPad == "VALID" {
		w.pt, w.pl, w.pb, w.pr = 0, 0, 0, 0
	}
	return w, true, nil
}

// axisOut is the forward output size and begin padding of one axis (the
// rule of core/ops' windows, onnxruntime and PyTorch).
func axisOut(in, k, s, d, pB, pE int, autoPad string, ceil bool) (out, padB int, ok bool) {
	ek := (k-1)*d + 1
	if autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER" {
		out = (in + s - 1) / s
		total := max(0, (out-1)*s+ek-in)
		small := total / 2
		if autoPad == "SAME_UPPER" {
			return out, small, true
		}
		return out, total - small, true
	}
	span := in + pB + pE - ek
	if span < 0 {
		return 0, 0, false
	}
	if ceil {
		out = (span+s-1)/s + 1
		if (out-1)*s >= in+pB {
			out--
		}
	} else {
		out = span/s + 1
	}
	return out, pB, true
}

// outSize gives the output size and top/left padding for an h×w input.
func (w *win2) outSize(n *graph.Node, h, wd int) (oh, ow, pt, pl int, err error) {
	oh, pt, ok1 := axisOut(h, w.kh, w.sh, w.dh, w.pt, w.pb, w.autoPad, w.ceil)
	ow, pl, ok2 := axisOut(wd, w.kw, w.sw, w.dw, w.pl, w.pr, w.autoPad, w.ceil)
	if !ok1 || !ok2 || oh < 1 || ow < 1 {
		return 0, 0, 0, 0, n.Errorf("dpu: emulator: input %dx%d is smaller than the %dx%d window with its padding", h, wd, w.kh, w.kw)
	}
	return oh, ow, pt, pl, nil
}

// ---- requantization of conv results ----

// convPost turns an int32/int64 accumulator into the int8 output (§2.1,
// §6 item 3). value = acc·2^-(fw+fi) + b·2^-fb is held exactly as
// V·2^-E with E = max(fw+fi, fb, 0): a negative shift_bias (fb > fw+fi)
// widens the accumulator by -shift_bias fraction bits instead of
// rounding the bias (documented choice, package doc "Emulator"), and
// E >= 0 keeps ReLU6's 6·2^E an integer. Then the activation and one
// DPU_ROUND at shift E-fo.
type convPost struct {
	e, accShift, fo int
	bias            []int64 // per output channel, in units of 2^-E
	act             actKind
}

func newConvPost(n *graph.Node, fw, fi, fo int, b *emuParam, channels int, act actKind) (convPost, error) {
	e := max(fw+fi, 0)
	if b != nil {
		e = max(e, b.FixPos)
	}
	p := convPost{e: e, accShift: e - fw - fi, fo: fo, act: act}
	if b != nil {
		if len(b.Q) != channels && len(b.Q) != 1 {
			return p, n.Errorf("dpu: emulator: bias has %d values for %d output channels", len(b.Q), channels)
		}
		p.bias = make([]int64, channels)
		for c := range p.bias {
			q := b.Q[0]
			if len(b.Q) > 1 {
				q = b.Q[c]
			}
			p.bias[c] = int64(q) << (e - b.FixPos)
		}
	}
	if p.accShift > 40 || e-b2fp(b) > 40 {
		return p, n.Errorf("dpu: emulator: fix positions too far apart (E=%d)", e)
	}
	return p, nil
}

func b2fp(b *emuParam) int {
	if b == nil {
		return 0
	}
	return b.FixPos
}

// postRow writes dst[j] = out(acc[j]) for one output channel.
func (p *convPost) row(dst []int8, acc []int32, ch int) {
	var b int64
	if p.bias != nil {
		b = p.bias[ch]
	}
	dst = dst[:len(acc)]
	sh := p.accShift
	if p.act == actNone && sh == 0 {
		s := p.e - p.fo
		for j, a := range acc {
			dst[j] = roundShift(int64(a)+b, s)
		}
		return
	}
	for j, a := range acc {
		dst[j] = requant(int64(a)<<sh+b, p.e, p.act, p.fo)
	}
}

// ---- Conv ----

// convKernel is Conv (2-D, any group): im2row of int8 pixels packed in
// pairs, the int8 GEMM with exact int32 sums (emu_gemm.go), then convPost.
// Depthwise convs (one input channel per group) use a direct loop.
type convKernel struct {
	node      *graph.Node
	win       win2
	group     int
	m, cg     int
	wq        []int8
	wP        [][]int8
	post      convPost
	depthwise bool
	row       []int8
	dwAcc     []int32
}

func (p *Program) newConv(n *graph.Node, w, b *emuParam, act actKind, out string) (emuKernel, string, error) {
	group, err := n.AttrInt("group", 1)
	if err != nil {
		return nil, "", err
	}
	m, cg, kh, kw := w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3]
	if group < 1 || m%int(group) != 0 {
		return nil, "", n.Errorf("dpu: emulator: group %d does not divide %d output channels", group, m)
	}
	if ks, _ := n.AttrInts("kernel_shape", nil); ks != nil && (len(ks) != 2 || int(ks[0]) != kh || int(ks[1]) != kw) {
		return nil, "", n.Errorf("dpu: emulator: kernel_shape %v does not match the weights %v", ks, w.Shape)
	}
	win, ok, err := readWin2(n, kh, kw)
	if err != nil || !ok {
		return nil, "", err
	}
	fi, _ := p.FixPos(n.Inputs[0])
	post, err := newConvPost(n, w.FixPos, fi, p.g.fix[out], b, m, act)
	if err != nil {
		return nil, "", err
	}
	k := &convKernel{node: n, win: win, group: int(group), m: m, cg: cg, wq: w.Q, post: post}
	K := cg * kh * kw
	if K > gemmMaxK {
		return nil, "", nil
	}
	mg := m / k.group
	k.depthwise = cg == 1 && k.group > 1
	if !k.depthwise {
		for g := 0; g < k.group; g++ {
			k.wP = append(k.wP, packWeights(w.Q[g*mg*K:], mg, K, K))
		}
		k.row = make([]int8, K)
	}
	kind := "conv"
	if k.depthwise {
		kind = "depthwise_conv"
	}
	return k, kind, nil
}

func (k *convKernel) run(p *Program, in, out []*emuValue) error {
	n := k.node
	x := in[0].t
	if len(x.Shape) != 4 || x.Shape[1] != k.cg*k.group {
		return n.Errorf("dpu: emulator: input shape %v, want [N, %d, H, W]", x.Shape, k.cg*k.group)
	}
	N, C, H, W := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	oh, ow, pt, pl, err := k.win.outSize(n, H, W)
	if err != nil {
		return err
	}
	dst := ensureI8(out[0], []int{N, k.m, oh, ow})
	if k.depthwise {
		k.runDepthwise(p, x.I8, dst, N, C, H, W, oh, ow, pt, pl)
		return nil
	}
	P := oh * ow
	kh, kw := k.win.kh, k.win.kw
	K := k.cg * kh * kw
	mg := k.m / k.group
	chunk := min(gemmChunk(K), P+P%2)
	bp := growI64(&p.scratch.bp, pairBlocks(chunk)*K*gemmPB)
	acc := growI32(&p.scratch.acc, mg*chunk)
	row := k.row
	for b := 0; b < N; b++ {
		for g := 0; g < k.group; g++ {
			planes := x.I8[(b*C+g*k.cg)*H*W : (b*C+(g+1)*k.cg)*H*W]
			for n0 := 0; n0 < P; n0 += chunk {
				nc := min(chunk, P-n0)
				for j := 0; j < nc; j++ {
					pix := n0 + j
					oy, ox := pix/ow, pix%ow
					k.im2row(row, planes, H, W, oy*k.win.sh-pt, ox*k.win.sw-pl)
					packPixel(bp, row, j, K)
				}
				gemmPacked(acc, nc, k.wP[g], mg, bp, nc, K)
				for m := 0; m < mg; m++ {
					ch := g*mg + m
					k.post.row(dst[(b*k.m+ch)*P+n0:(b*k.m+ch)*P+n0+nc], acc[m*nc:(m+1)*nc], ch)
				}
			}
		}
	}
	return nil
}

// im2row gathers one output pixel's receptive field (c, ky, kx order, the
// ONNX weight layout), zero outside the input.
func (k *convKernel) im2row(row, planes []int8, H, W, iy0, ix0 int) {
	kh, kw, dh, dw := k.win.kh, k.win.kw, k.win.dh, k.win.dw
	i := 0
	inside := iy0 >= 0 && ix0 >= 0 && iy0+(kh-1)*dh < H && ix0+(kw-1)*dw < W
	for c := 0; c < k.cg; c++ {
		plane := planes[c*H*W : (c+1)*H*W]
		for ky := 0; ky < kh; ky++ {
			iy := iy0 + ky*dh
			r := row[i : i+kw]
			i += kw
			if inside {
				src := plane[iy*W+ix0:]
				if dw == 1 {
					copy(r, src[:kw])
					continue
				}
				for kx := range r {
					r[kx] = src[kx*dw]
				}
				continue
			}
			if iy < 0 || iy >= H {
				clear(r)
				continue
			}
			line := plane[iy*W : (iy+1)*W]
			for kx := range r {
				ix := ix0 + kx*dw
				if ix >= 0 && ix < W {
					r[kx] = line[ix]
				} else {
					r[kx] = 0
				}
			}
		}
	}
}

// packPixel stores pixel j's K taps into the packed pair buffer: the even
// pixel of a pair sets the slot, the odd one adds itself times 2^32.
func packPixel(bp []int64, row []int8, j, K int) {
	pair := j >> 1
	dst := bp[pair*K : (pair+1)*K]
	row = row[:len(dst)]
	if j&1 == 0 {
		for i, v := range row {
			dst[i] = int64(v)
		}
		return
	}
	for i, v := range row {
		dst[i] += int64(v) << 32
	}
}

func growI64(b *[]int64, n int) []int64 {
	if cap(*b) < n {
		*b = make([]int64, n)
	}
	return (*b)[:n]
}

func growI32(b *[]int32, n int) []int32 {
	if cap(*b) < n {
		*b = make([]int32, n)
	}
	return (*b)[:n]
}

func growI8(b *[]int8, n int) []int8 {
	if cap(*b) < n {
		*b = make([]int8, n)
	}
	return (*b)[:n]
}

// runDepthwise: per output channel, the input plane is zero-padded once,
// then every tap adds w·x over the whole output plane (int32 sums).
func (k *convKernel) runDepthwise(p *Program, x, dst []int8, N, C, H, W, oh, ow, pt, pl int) {
	kh, kw, sh, sw, dh, dw := k.win.kh, k.win.kw, k.win.sh, k.win.sw, k.win.dh, k.win.dw
	PH := max(H+pt, (oh-1)*sh+(kh-1)*dh+1)
	PW := max(W+pl, (ow-1)*sw+(kw-1)*dw+1)
	pad := growI8(&p.scratch.pad, PH*PW)
	acc := growI32(&p.scratch.acc, oh*ow)
	mult := k.m / C
	P := oh * ow
	for b := 0; b < N; b++ {
		for c := 0; c < C; c++ {
			clear(pad)
			plane := x[(b*C+c)*H*W : (b*C+c+1)*H*W]
			for y := 0; y < H; y++ {
				copy(pad[(y+pt)*PW+pl:], plane[y*W:(y+1)*W])
			}
			for mm := 0; mm < mult; mm++ {
				ch := c*mult + mm
				wk := k.wq[ch*kh*kw : (ch+1)*kh*kw]
				clear(acc)
				for ky := 0; ky < kh; ky++ {
					for kx := 0; kx < kw; kx++ {
						wv := int32(wk[ky*kw+kx])
						if wv == 0 {
							continue
						}
						for oy := 0; oy < oh; oy++ {
							src := pad[(oy*sh+ky*dh)*PW+kx*dw:]
							a := acc[oy*ow : (oy+1)*ow]
							if sw == 1 {
								src = src[:ow]
								for ox := range a {
									a[ox] += wv * int32(src[ox])
								}
								continue
							}
							for ox := range a {
								a[ox] += wv * int32(src[ox*sw])
							}
						}
					}
				}
				k.post.row(dst[(b*k.m+ch)*P:(b*k.m+ch+1)*P], acc, ch)
			}
		}
	}
}

// ---- ConvTranspose ----

// convTransposeKernel scatters every input pixel times the kernel into an
// int32 output plane (out = in·stride - pad_begin + k·dilation), then
// convPost.
type convTransposeKernel struct {
	node           *graph.Node
	group, mg, c   int
	kh, kw         int
	sh, sw, dh, dw int
	pads           [4]int
	outPad         [2]int
	outShape       []int64
	autoPad        string
	wq             []int8
	post           convPost
}

func (p *Program) newConvTranspose(n *graph.Node, w, b *emuParam, act actKind, out string) (emuKernel, string, error) {
	group, err := n.AttrInt("group", 1)
	if err != nil {
		return nil, "", err
	}
	if group < 1 {
		return nil, "", n.Errorf("dpu: emulator: group %d", group)
	}
	k := &convTransposeKernel{node: n, group: int(group), c: w.Shape[0], mg: w.Shape[1], kh: w.Shape[2], kw: w.Shape[3], wq: w.Q}
	win, ok, err := readWin2(n, k.kh, k.kw)
	if err != nil || !ok {
		return nil, "", err
	}
	k.sh, k.sw, k.dh, k.dw = win.sh, win.sw, win.dh, win.dw
	k.pads = [4]int{win.pt, win.pl, win.pb, win.pr}
	k.autoPad = win.autoPad
	if op, _ := n.AttrInts("output_padding", nil); op != nil {
		if len(op) != 2 {
			return nil, "", nil
		}
		k.outPad = [2]int{int(op[0]), int(op[1])}
	}
	if os, _ := n.AttrInts("output_shape", nil); os != nil {
		if len(os) != 2 && len(os) != 4 {
			return nil, "", nil
		}
		k.outShape = os[len(os)-2:]
	}
	fi, _ := p.FixPos(n.Inputs[0])
	m := k.mg * k.group
	k.post, err = newConvPost(n, w.FixPos, fi, p.g.fix[out], b, m, act)
	if err != nil {
		return nil, "", err
	}
	return k, "transposed_conv", nil
}

// tAxis gives a transposed axis' output size and begin padding.
func tAxis(in, k, s, d, op, pB, pE int, want int64, autoPad string) (out, padB int) {
	full := s*(in-1) + op + (k-1)*d + 1
	switch {
	case want > 0:
		out = int(want)
	case autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER":
		out = in * s
	default:
		return full - pB - pE, pB
	}
	total := full - out
	if autoPad == "SAME_UPPER" {
		return out, total / 2
	}
	return out, total - total/2
}

func (k *convTransposeKernel) run(p *Program, in, out []*emuValue) error {
	n := k.node
	x := in[0].t
	if len(x.Shape) != 4 || x.Shape[1] != k.c || k.c%k.group != 0 {
		return n.Errorf("dpu: emulator: input shape %v, want [N, %d, H, W]", x.Shape, k.c)
	}
	N, C, H, W := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	var wantH, wantW int64
	if k.outShape != nil {
		wantH, wantW = k.outShape[0], k.outShape[1]
	}
	oh, pt := tAxis(H, k.kh, k.sh, k.dh, k.outPad[0], k.pads[0], k.pads[2], wantH, k.autoPad)
	ow, pl := tAxis(W, k.kw, k.sw, k.dw, k.outPad[1], k.pads[1], k.pads[3], wantW, k.autoPad)
	if oh < 1 || ow < 1 {
		return n.Errorf("dpu: emulator: output size %dx%d", oh, ow)
	}
	M := k.mg * k.group
	dst := ensureI8(out[0], []int{N, M, oh, ow})
	P := oh * ow
	cg := C / k.group
	acc := growI32(&p.scratch.acc, k.mg*P)
	for b := 0; b < N; b++ {
		for g := 0; g < k.group; g++ {
			clear(acc)
			for c := g * cg; c < (g+1)*cg; c++ {
				plane := x.I8[(b*C+c)*H*W : (b*C+c+1)*H*W]
				for iy := 0; iy < H; iy++ {
					for ix := 0; ix < W; ix++ {
						v := int32(plane[iy*W+ix])
						if v == 0 {
							continue
						}
						for m := 0; m < k.mg; m++ {
							wk := k.wq[((c*k.mg)+m)*k.kh*k.kw:]
							a := acc[m*P : (m+1)*P]
							for ky := 0; ky < k.kh; ky++ {
								oy := iy*k.sh - pt + ky*k.dh
								if oy < 0 || oy >= oh {
									continue
								}
								for kx := 0; kx < k.kw; kx++ {
									ox := ix*k.sw - pl + kx*k.dw
									if ox < 0 || ox >= ow {
										continue
									}
									a[oy*ow+ox] += v * int32(wk[ky*k.kw+kx])
								}
							}
						}
					}
				}
			}
			for m := 0; m < k.mg; m++ {
				ch := g*k.mg + m
				k.post.row(dst[(b*M+ch)*P:(b*M+ch+1)*P], acc[m*P:(m+1)*P], ch)
			}
		}
	}
	return nil
}

// ---- fully connected (Gemm, MatMul) as a 1x1 conv ----

// fcKernel: every row of A is a pixel, every output feature a 1x1
// kernel (UG1414: matmul is lowered to conv2d).
type fcKernel struct {
	node  *graph.Node
	k, nf int
	wP    []int8
	post  convPost
	gemm  bool
}

func (p *Program) newFC(n *graph.Node, w, b *emuParam, act actKind, out string) (emuKernel, string, error) {
	rows := w.Q
	K, N := w.Shape[0], w.Shape[1]
	if n.OpType == "Gemm" {
		ta, _ := n.AttrInt("transA", 0)
		tb, _ := n.AttrInt("transB", 0)
		alpha, _ := n.AttrFloat("alpha", 1)
		beta, _ := n.AttrFloat("beta", 1)
		if ta != 0 || alpha != 1 || (b != nil && beta != 1) {
			return nil, "", nil
		}
		if tb != 0 {
			N, K = w.Shape[0], w.Shape[1]
		} else {
			rows = transposeI8(w.Q, K, N)
		}
		if b != nil && len(b.Q) != N && len(b.Q) != 1 {
			return nil, "", nil // a full [M, N] bias: float path
		}
	} else {
		if b != nil {
			return nil, "", nil
		}
		rows = transposeI8(w.Q, K, N)
	}
	if K > gemmMaxK {
		return nil, "", nil
	}
	fi, _ := p.FixPos(n.Inputs[0])
	post, err := newConvPost(n, w.FixPos, fi, p.g.fix[out], b, N, act)
	if err != nil {
		return nil, "", err
	}
	return &fcKernel{node: n, k: K, nf: N, wP: packWeights(rows, N, K, K), post: post, gemm: n.OpType == "Gemm"}, "fully_connected", nil
}

func transposeI8(a []int8, r, c int) []int8 {
	t := make([]int8, len(a))
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			t[j*r+i] = a[i*c+j]
		}
	}
	return t
}

func (f *fcKernel) run(p *Program, in, out []*emuValue) error {
	x := in[0].t
	r := len(x.Shape)
	if r < 1 || x.Shape[r-1] != f.k || (f.gemm && r != 2) {
		return f.node.Errorf("dpu: emulator: input shape %v, want [..., %d]", x.Shape, f.k)
	}
	M := len(x.I8) / f.k
	shape := append(append([]int(nil), x.Shape[:r-1]...), f.nf)
	dst := ensureI8(out[0], shape)
	K := f.k
	chunk := min(gemmChunk(K), M+M%2)
	bp := growI64(&p.scratch.bp, pairBlocks(chunk)*K*gemmPB)
	acc := growI32(&p.scratch.acc, f.nf*chunk)
	row := growI8(&p.scratch.pad, f.nf) // output row
	for m0 := 0; m0 < M; m0 += chunk {
		nc := min(chunk, M-m0)
		for j := 0; j < nc; j++ {
			packPixel(bp, x.I8[(m0+j)*K:(m0+j+1)*K], j, K)
		}
		gemmPacked(acc, nc, f.wP, f.nf, bp, nc, K)
		for j := 0; j < nc; j++ {
			for o := 0; o < f.nf; o++ {
				a := acc[o*nc+j : o*nc+j+1]
				f.post.row(row[o:o+1], a, o)
			}
			copy(dst[(m0+j)*f.nf:], row)
		}
	}
	return nil
}

// ---- pools ----

// avgPoolKernel: the exact integer window sum S (zero padding, full-window
// divisor), times N, one DPU_ROUND at shift M+fi-fo (§3.4, §6 item 5).
type avgPoolKernel struct {
	node    *graph.Node
	ap      *emuApprox
	global  bool
	keep    bool // ReduceMean keepdims
	win     win2
	rec     int
	n, m    int
	haveRec int
}

func (p *Program) newAvgPool(n *graph.Node, ap *emuApprox) (emuKernel, string, error) {
	k := &avgPoolKernel{node: n, ap: ap, keep: true}
	switch n.OpType {
	case "GlobalAveragePool":
		k.global = true
	case "ReduceMean":
		k.global = true
		kd, err := n.AttrInt("keepdims", 1)
		if err != nil {
			return nil, "", err
		}
		k.keep = kd != 0
		axes, _ := n.AttrInts("axes", nil)
		if len(n.Inputs) > 1 && n.Inputs[1] != "" {
			t := p.g.model.Graph.Initializers[n.Inputs[1]]
			if t == nil {
				return nil, "", nil
			}
			v, err := t.AsInt64s()
			if err != nil {
				return nil, "", nil
			}
			axes = v
		}
		seen := map[int64]bool{}
		for _, a := range axes {
			if a < 0 {
				a += 4
			}
			seen[a] = true
		}
		if len(axes) != 2 || !seen[2] || !seen[3] {
			return nil, "", nil
		}
	default:
		ks, err := n.AttrInts("kernel_shape", nil)
		if err != nil || len(ks) != 2 {
			return nil, "", err
		}
		if c, _ := n.AttrInt("ceil_mode", 0); c != 0 {
			return nil, "", nil
		}
		win, ok, err := readWin2(n, int(ks[0]), int(ks[1]))
		if err != nil || !ok {
			return nil, "", err
		}
		cip, _ := n.AttrInt("count_include_pad", 0)
		if cip == 0 && (win.pt|win.pl|win.pb|win.pr) != 0 || cip == 0 && (win.autoPad == "SAME_UPPER" || win.autoPad == "SAME_LOWER") {
			return nil, "", nil
		}
		k.win = win
		k.rec = win.kh * win.kw
	}
	return k, "avg_pool", nil
}

func (k *avgPoolKernel) multiplier(rec int) error {
	if k.haveRec == rec {
		return nil
	}
	n, m, err := k.ap.avgMultiplier(rec)
	if err != nil {
		return k.node.Errorf("dpu: emulator: %v", err)
	}
	k.n, k.m, k.haveRec = n, m, rec
	return nil
}

func (k *avgPoolKernel) run(p *Program, in, out []*emuValue) error {
	x := in[0].t
	if len(x.Shape) != 4 {
		return k.node.Errorf("dpu: emulator: input shape %v is not 4-D", x.Shape)
	}
	N, C, H, W := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	s := in[0].fp - out[0].fp
	if k.global {
		if err := k.multiplier(H * W); err != nil {
			return err
		}
		shape := []int{N, C, 1, 1}
		if !k.keep {
			shape = shape[:2]
		}
		dst := ensureI8(out[0], shape)
		for i := range dst {
			var sum int64
			for _, v := range x.I8[i*H*W : (i+1)*H*W] {
				sum += int64(v)
			}
			dst[i] = roundShift(sum*int64(k.n), k.m+s)
		}
		return nil
	}
	if err := k.multiplier(k.rec); err != nil {
		return err
	}
	oh, ow, pt, pl, err := k.win.outSize(k.node, H, W)
	if err != nil {
		return err
	}
	dst := ensureI8(out[0], []int{N, C, oh, ow})
	w := &k.win
	for pc := 0; pc < N*C; pc++ {
		plane := x.I8[pc*H*W : (pc+1)*H*W]
		o := dst[pc*oh*ow : (pc+1)*oh*ow]
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				var sum int64
				for ky := 0; ky < w.kh; ky++ {
					iy := oy*w.sh - pt + ky*w.dh
					if iy < 0 || iy >= H {
						continue
					}
					for kx := 0; kx < w.kw; kx++ {
						ix := ox*w.sw - pl + kx*w.dw
						if ix >= 0 && ix < W {
							sum += int64(plane[iy*W+ix])
						}
					}
				}
				o[oy*ow+ox] = roundShift(sum*int64(k.n), k.m+s)
			}
		}
	}
	return nil
}

// maxPoolKernel is MaxPool / GlobalMaxPool on int8 (padding never wins;
// a rescale to a different output fix_pos commutes with max).
type maxPoolKernel struct {
	node   *graph.Node
	global bool
	win    win2
}

func (p *Program) newMaxPool(n *graph.Node) (emuKernel, string, error) {
	if n.OpType == "GlobalMaxPool" {
		return &maxPoolKernel{node: n, global: true}, "max_pool", nil
	}
	ks, err := n.AttrInts("kernel_shape", nil)
	if err != nil || len(ks) != 2 {
		return nil, "", err
	}
	if so, _ := n.AttrInt("storage_order", 0); so != 0 {
		return nil, "", nil
	}
	win, ok, err := readWin2(n, int(ks[0]), int(ks[1]))
	if err != nil || !ok {
		return nil, "", err
	}
	c, _ := n.AttrInt("ceil_mode", 0)
	win.ceil = c != 0
	return &maxPoolKernel{node: n, win: win}, "max_pool", nil
}

func (k *maxPoolKernel) run(p *Program, in, out []*emuValue) error {
	x := in[0].t
	if len(x.Shape) != 4 {
		return k.node.Errorf("dpu: emulator: input shape %v is not 4-D", x.Shape)
	}
	N, C, H, W := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	s := in[0].fp - out[0].fp
	if k.global {
		dst := ensureI8(out[0], []int{N, C, 1, 1})
		for i := range dst {
			m := int8(-128)
			for _, v := range x.I8[i*H*W : (i+1)*H*W] {
				m = max(m, v)
			}
			dst[i] = roundShift(int64(m), s)
		}
		return nil
	}
	oh, ow, pt, pl, err := k.win.outSize(k.node, H, W)
	if err != nil {
		return err
	}
	dst := ensureI8(out[0], []int{N, C, oh, ow})
	w := &k.win
	for pc := 0; pc < N*C; pc++ {
		plane := x.I8[pc*H*W : (pc+1)*H*W]
		o := dst[pc*oh*ow : (pc+1)*oh*ow]
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				m, any := int8(-128), false
				for ky := 0; ky < w.kh; ky++ {
					iy := oy*w.sh - pt + ky*w.dh
					if iy < 0 || iy >= H {
						continue
					}
					for kx := 0; kx < w.kw; kx++ {
						ix := ox*w.sw - pl + kx*w.dw
						if ix >= 0 && ix < W {
							m, any = max(m, plane[iy*W+ix]), true
						}
					}
				}
				if !any {
					return k.node.Errorf("dpu: emulator: a max-pool window lies entirely in the padding")
				}
				o[oy*ow+ox] = roundShift(int64(m), s)
			}
		}
	}
	return nil
}
