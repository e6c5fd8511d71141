package train

import "math"

// Optimizer updates parameters from their gradients (Param.G). lr gives
// each parameter's learning rate for this step. Call Net.Sync afterwards.
type Optimizer interface {
	Step(params []*Param, lr func(*Param) float64)
}

// Adam is Kingma & Ba's Adam with bias correction, in PyTorch's form:
// w -= lr·m̂/(√v̂ + ε). Zero Beta1, Beta2 and
// Eps mean 0.9, 0.999 and 1e-8. State is kept per parameter.
type Adam struct {
	Beta1, Beta2, Eps float64
	t                 map[*Param]int
	m, v              map[*Param][]float32
}

// Step implements Optimizer.
func (a *Adam) Step(params []*Param, lr func(*Param) float64) {
	b1, b2, eps := a.Beta1, a.Beta2, a.Eps
	if b1 == 0 {
		b1 = 0.9
	}
	if b2 == 0 {
		b2 = 0.999
	}
	if eps == 0 {
		eps = 1e-8
	}
	if a.m == nil {
		a.t, a.m, a.v = map[*Param]int{}, map[*Param][]float32{}, map[*Param][]float32{}
	}
	for _, p := range params {
		m, v := a.m[p], a.v[p]
		if m == nil {
			m, v = make([]float32, len(p.W)), make([]float32, len(p.W))
			a.m[p], a.v[p] = m, v
		}
		a.t[p]++
		t := float64(a.t[p])
		c1, c2 := 1-math.Pow(b1, t), 1-math.Pow(b2, t)
		r := lr(p)
		for i, g := range p.G {
			gf := float64(g)
			mi := b1*float64(m[i]) + (1-b1)*gf
			vi := b2*float64(v[i]) + (1-b2)*gf*gf
			m[i], v[i] = float32(mi), float32(vi)
			p.W[i] -= float32(r * (mi / c1) / (math.Sqrt(vi/c2) + eps))
		}
	}
}

// SGD is stochastic gradient descent with optional momentum (PyTorch's
// form: v = μ·v + g + λ·w; w -= lr·v).
type SGD struct {
	Momentum, WeightDecay float64
	vel                   map[*Param][]float32
}

// Step implements Optimizer.
func (s *SGD) Step(params []*Param, lr func(*Param) float64) {
	if s.vel == nil {
		s.vel = map[*Param][]float32{}
	}
	for _, p := range params {
		r := lr(p)
		if s.Momentum == 0 {
			for i, g := range p.G {
				p.W[i] -= float32(r * (float64(g) + s.WeightDecay*float64(p.W[i])))
			}
			continue
		}
		v := s.vel[p]
		if v == nil {
			v = make([]float32, len(p.W))
			s.vel[p] = v
		}
		for i, g := range p.G {
			vi := s.Momentum*float64(v[i]) + float64(g) + s.WeightDecay*float64(p.W[i])
			v[i] = float32(vi)
			p.W[i] -= float32(r * vi)
		}
	}
}
