// The static page's runtime (stabgan explore --static): it evaluates the closed forms of
// FORMS (printed from SymPy by stabgan.explore._pagejs) at the sliders' values.
//
// * the field v(theta, psi; p), with the expectation over instance noise taken by the
//   simulator's trapezoidal rule (same nodes, weights and order of summation);
// * trajectories: the flow by fixed-step RK4 (each step h cut into ceil(h / RK4_DT) equal
//   substeps), SimGD x <- x + h v(x), AltGD (n_g generator then n_d discriminator moves,
//   each with the other's newest value), extragradient y = x + h v(x), x <- x + h v(y);
//   psi projected onto the box constraint after each move of psi (as stabgan.simulate);
// * the eigenvalues of the derived 2 x 2 matrix J(p) (or M(h, p)) from its trace and
//   determinant, the verdict from the derived Routh-Hurwitz (Schur-Cohn) conditions, and
//   h_max by the routine of stabgan.analysis.discrete.step_size_bounds: the positive real
//   roots of the derived boundary polynomials in h cut (0, inf) into intervals, each decided
//   at an inner point; h_max is the end of the first run of stable intervals.
// Everything is IEEE double precision: near a critical value the page can decide
// differently from stabgan analyze, which decides in exact arithmetic.

const LIM = 2.0;          // the phase plane is [-LIM, LIM]^2
const GRID = 17;          // arrows per side of the vector field
const CUT = 1e6;          // a trajectory is cut where it leaves this box (diverging)
const RK4_DT = 0.05;      // the flow's largest RK4 substep
const ROOT_TOL = 1e-9;    // two roots in h closer than this (relative) are one
const UNIT_TOL = 1e-9;    // |rho - 1| below this: on the unit circle
const AXIS_TOL = 1e-12;   // |Re| below this (relative): on the imaginary axis

// -- complex numbers as [re, im] ----------------------------------------------------------
const C = {
  add: (a, b) => [a[0] + b[0], a[1] + b[1]],
  sub: (a, b) => [a[0] - b[0], a[1] - b[1]],
  mul: (a, b) => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]],
  div: (a, b) => {
    const d = b[0] * b[0] + b[1] * b[1];
    return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d];
  },
  abs: (a) => Math.hypot(a[0], a[1]),
  sqrt: (a) => {  // principal square root
    const r = Math.hypot(a[0], a[1]);
    const re = Math.sqrt((r + a[0]) / 2), im = Math.sqrt((r - a[0]) / 2);
    return [re, a[1] < 0 ? -im : im];
  },
};

// The eigenvalues of a 2 x 2 matrix: tr/2 -+ sqrt(tr^2/4 - det).
function eig2(M) {
  const tr = M[0][0] + M[1][1], det = M[0][0] * M[1][1] - M[0][1] * M[1][0];
  const root = C.sqrt([tr * tr / 4 - det, 0]);
  return [C.sub([tr / 2, 0], root), C.add([tr / 2, 0], root)];
}

// -- real roots of polynomials (coefficients highest degree first) ----------------------------
function horner(c, x) {
  let p = 0;
  for (const a of c) p = p * x + a;
  return p;
}

function trimLeading(c) {
  let i = 0;
  while (i < c.length - 1 && c[i] === 0) i++;
  return c.slice(i);
}

// All complex roots by the Aberth-Ehrlich iteration (degree >= 1).
function complexRoots(c) {
  const n = c.length - 1;
  const a = c.map((x) => x / c[0]);
  let bound = 0;
  for (let k = 1; k <= n; k++) bound = Math.max(bound, Math.pow(Math.abs(a[k]), 1 / k));
  bound = 2 * bound || 1;
  let z = [];
  for (let k = 0; k < n; k++) {
    const t = 2 * Math.PI * k / n + 0.4;
    z.push([bound * Math.cos(t), bound * Math.sin(t)]);
  }
  const d = a.slice(0, n).map((x, k) => x * (n - k));
  const evalc = (coef, w) => coef.reduce((p, x) => C.add(C.mul(p, w), [x, 0]), [0, 0]);
  for (let it = 0; it < 500; it++) {
    let moved = 0;
    z = z.map((zk, k) => {
      const ratio = C.div(evalc(a, zk), evalc(d, zk));
      let s = [0, 0];
      z.forEach((zj, j) => { if (j !== k) s = C.add(s, C.div([1, 0], C.sub(zk, zj))); });
      const w = C.div(ratio, C.sub([1, 0], C.mul(ratio, s)));
      if (!isFinite(w[0]) || !isFinite(w[1])) return zk;
      moved = Math.max(moved, C.abs(w) / Math.max(1, C.abs(zk)));
      return C.sub(zk, w);
    });
    if (moved < 1e-16) break;
  }
  return z;
}

// The positive real roots of a real polynomial: exact forms for degree 1 and 2, Aberth with
// Newton polishing above (a root whose imaginary part does not vanish is no root).
function positiveRoots(c) {
  c = trimLeading(c);
  if (!c.every(isFinite) || c.length < 2 || c.every((x) => x === 0)) return [];
  let roots = [];
  if (c.length === 2) {
    roots = [-c[1] / c[0]];
  } else if (c.length === 3) {
    const [a, b, k] = c;
    let disc = b * b - 4 * a * k;
    if (disc < 0 && -disc <= 1e-14 * (b * b + Math.abs(4 * a * k))) disc = 0;
    if (disc >= 0) {
      const q = -(b + (b < 0 ? -1 : 1) * Math.sqrt(disc)) / 2;
      roots = q !== 0 ? [q / a, k / q] : [0, 0];
    }
  } else {
    const dc = c.slice(0, -1).map((x, k) => x * (c.length - 1 - k));
    for (const r of complexRoots(c)) {
      let x = r[0];
      if (Math.abs(r[1]) > 1e-6 * Math.max(1, Math.abs(x))) continue;
      for (let it = 0; it < 8; it++) {
        const dx = horner(c, x) / horner(dc, x);
        if (!isFinite(dx)) break;
        x -= dx;
      }
      const scale = c.reduce((s, a, k) => s + Math.abs(a) * Math.pow(Math.abs(x), c.length - 1 - k), 0);
      if (Math.abs(horner(c, x)) <= 1e-9 * scale) roots.push(x);
    }
  }
  return roots.filter((x) => isFinite(x) && x > 0);
}

// -- the field, the flow and the schemes ---------------------------------------------------
function makeField(P) {
  const nodes = FORMS.noiseSd.map((sd) => {
    const s = sd(P);
    return FORMS.nodes.z.map((z, j) => [s * z, FORMS.nodes.w[j]]);
  });
  const component = (groups) => (th, ps) => {
    let out = 0, first = true;
    for (const g of groups) {
      const points = g.noise < 0 ? [[null, null]] : nodes[g.noise];
      for (const [e, w] of points) {
        let value = g.f(th, ps, e, P);
        if (w !== null) value *= w;
        out = first ? value : out + value;
        first = false;
      }
    }
    return out;
  };
  const vt = component(FORMS.field[0]), vp = component(FORMS.field[1]);
  return (th, ps) => [vt(th, ps), vp(th, ps)];
}

function makeProject(P) {
  const boxes = FORMS.clip.map((f) => f(P));
  return (ps) => {
    for (const [lo, hi] of boxes) ps = Math.min(Math.max(ps, lo), hi);
    return ps;
  };
}

function inside(x, y) {
  return isFinite(x) && isFinite(y) && Math.abs(x) < CUT && Math.abs(y) < CUT;
}

// The flow from (x, y): states at t = k h, k = 0..steps (cut where it leaves the box).
function flowPath(v, x, y, h, steps) {
  const n = Math.max(1, Math.ceil(h / RK4_DT)), dt = h / n;
  const xs = [x], ys = [y];
  for (let k = 0; k < steps && inside(x, y); k++) {
    for (let i = 0; i < n; i++) {
      const k1 = v(x, y);
      const k2 = v(x + dt / 2 * k1[0], y + dt / 2 * k1[1]);
      const k3 = v(x + dt / 2 * k2[0], y + dt / 2 * k2[1]);
      const k4 = v(x + dt * k3[0], y + dt * k3[1]);
      x += dt / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]);
      y += dt / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]);
    }
    if (inside(x, y)) { xs.push(x); ys.push(y); }
  }
  return [xs, ys];
}

// One step of a discrete scheme (the update rules of stabgan.schemes.rules).
function stepper(scheme, v, h, project) {
  if (scheme === "simgd") {
    return (x, y) => {
      const g = v(x, y);
      return [x + h * g[0], project(y + h * g[1])];
    };
  }
  if (scheme === "extragradient") {
    return (x, y) => {
      const g = v(x, y);
      const yt = x + h * g[0], yp = project(y + h * g[1]);
      const g2 = v(yt, yp);
      return [x + h * g2[0], project(y + h * g2[1])];
    };
  }
  const { n_g, n_d, order } = FORMS.altgd;
  const blocks = order === "discriminator-first" ? [[1, n_d], [0, n_g]] : [[0, n_g], [1, n_d]];
  return (x, y) => {
    for (const [player, count] of blocks) {
      for (let i = 0; i < count; i++) {
        if (player === 0) x = x + h * v(x, y)[0];
        else y = project(y + h * v(x, y)[1]);
      }
    }
    return [x, y];
  };
}

function schemePath(step, x, y, steps) {
  const xs = [x], ys = [y];
  for (let k = 0; k < steps; k++) {
    [x, y] = step(x, y);
    if (!inside(x, y)) break;
    xs.push(x); ys.push(y);
  }
  return [xs, ys];
}

// -- the closed forms at the sliders' values ---------------------------------------------
function fmt(x) {
  if (x === Infinity) return "\u221e";
  return Number(x.toPrecision(12)).toString();
}

function spectralRadius(M) {
  return Math.max(...eig2(M).map(C.abs));
}

function classify(J) {  // stabgan.analysis.continuous.classify_2x2, in floating point
  const tr = J[0][0] + J[1][1], det = J[0][0] * J[1][1] - J[0][1] * J[1][0];
  const disc = tr * tr - 4 * det;
  const sign = (x) => (x > 0) - (x < 0);
  if (sign(det) < 0) return "saddle";
  if (sign(det) === 0) return "degenerate (a zero eigenvalue)";
  if (sign(tr) === 0) return sign(disc) < 0 ? "centre" : "degenerate";
  const stability = sign(tr) < 0 ? "stable" : "unstable";
  if (sign(disc) < 0) return stability + " focus";
  if (sign(disc) === 0) return stability + " degenerate node";
  return stability + " node";
}

function jumpVerdict(P) {
  const types = [];
  for (const side of FORMS.sides) {
    for (const eq of side.eqs) {
      const theta = eq.theta(P), res = eq.residual(P);
      if (!isFinite(theta) || !(Math.abs(res) <= 1e-12 * Math.max(1, Math.abs(theta)))) continue;
      types.push(classify(eq.J(P)));
    }
  }
  const kinds = [...new Set(types)].sort();
  const key = kinds.join("|");
  const behaviour = key in FORMS.nonsmoothWords ? FORMS.nonsmoothWords[key]
    : "the one-sided equilibria (off the Nash point) are of the types " + kinds.join("; ");
  return FORMS.words.jump.replace("{behaviour}", behaviour);
}

// step_size_bounds in floating point: (h_max, stable intervals above it, h_marginal).
function stepBounds(S, P) {
  const found = [];
  S.boundaries.forEach((b) => b.factors.forEach((f) => {
    for (const r of positiveRoots(f(P))) {
      const same = found.find((c) => Math.abs(c.h - r) <= ROOT_TOL * Math.max(c.h, r));
      if (same) same.brk = same.brk || b.schur;
      else found.push({ h: r, brk: b.schur });
    }
  }));
  found.sort((a, b) => a.h - b.h);
  const edges = [0, ...found.map((c) => c.h), Infinity];
  const breaks = [true, ...found.map((c) => c.brk), true];
  const runs = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const lo = edges[i], hi = edges[i + 1];
    const q = hi === Infinity ? (lo !== 0 ? Math.trunc(lo) + 1 : 1) : (lo + hi) / 2;
    const stable = S.schur(q, P).every((c) => c > 0);
    const marginal = !stable && Math.abs(spectralRadius(S.M(q, P)) - 1) < UNIT_TOL;
    const kind = stable ? "stable" : marginal ? "marginal" : "unstable";
    const last = runs[runs.length - 1];
    if (last && last.kind === kind && !(kind === "stable" && breaks[i])) last.hi = hi;
    else runs.push({ lo, hi, kind });
  }
  return {
    hMax: runs[0].kind === "stable" ? runs[0].hi : null,
    hMarginal: runs[0].kind === "marginal" ? runs[0].hi : null,
    intervals: runs.slice(1).filter((r) => r.kind === "stable"),
  };
}

// The verdict, h_max, the eigenvalues and the spectrum's summary at the sliders' values.
function analysis(P, scheme, h) {
  const W = FORMS.words;
  if (!FORMS.smooth(P)) {
    return { verdict: jumpVerdict(P), hmax: "h_max: none (the field jumps at psi = 0: no " +
             "Jacobian at the equilibrium)", eig: [], spectrum: "no Jacobian at the equilibrium" };
  }
  if (scheme === "continuous") {
    const eig = eig2(FORMS.J(P));
    const top = Math.max(...eig.map((z) => z[0]));
    const size = Math.max(1, ...eig.map(C.abs));
    let verdict;
    if (FORMS.hurwitz(P).every((c) => c > 0)) verdict = W.continuous_convergent;
    else if (eig.every((z) => Math.abs(z[0]) <= AXIS_TOL * size)) verdict = W.continuous_marginal;
    else verdict = W.continuous_unstable;
    return { verdict, hmax: "h_max: none (continuous time)", eig,
             spectrum: "max Re \u03bb = " + fmt(top) };
  }
  const S = FORMS.schemes[scheme];
  const eig = eig2(S.M(h, P));
  const rho = Math.max(...eig.map(C.abs));
  let verdict;
  if (S.schur(h, P).every((c) => c > 0)) verdict = W.discrete_convergent;
  else if (Math.abs(rho - 1) < UNIT_TOL) verdict = W.discrete_marginal;
  else verdict = W.discrete_unstable;
  const b = stepBounds(S, P);
  let hmax;
  if (b.hMax !== null) hmax = "h_max = " + fmt(b.hMax);
  else if (b.hMarginal !== null) hmax = "h_max = none (the eigenvalues stay on the unit " +
    "circle for h < " + fmt(b.hMarginal) + ")";
  else hmax = "h_max = none (no step size converges)";
  if (b.intervals.length) {
    hmax += "; stable again for h in " + b.intervals.map((r) =>
      "(" + fmt(r.lo) + ", " + fmt(r.hi) + ")").join(", ");
  }
  return { verdict, hmax, eig, spectrum: "\u03c1(F') = " + fmt(rho) + " at h = " + fmt(h) };
}

// -- drawing --------------------------------------------------------------------------------
function fieldArrows(v) {
  const g = [], x0 = [], y0 = [], x1 = [], y1 = [];
  for (let i = 0; i < GRID; i++) g.push(-LIM * 0.95 + 1.9 * LIM * i / (GRID - 1));
  const cell = g[1] - g[0];
  for (const y of g) {
    for (const x of g) {
      const [u, w] = v(x, y);
      const n = Math.hypot(u, w);
      const s = n > 0 && isFinite(n) ? 0.8 * cell / n : 0;
      x0.push(x); y0.push(y); x1.push(x + s * u); y1.push(y + s * w);
    }
  }
  return { x0, y0, x1, y1 };
}

function distances(xs, ys) {
  return [xs.map((_, k) => k), xs.map((x, k) => Math.max(Math.hypot(x, ys[k]), 1e-300))];
}

function update(m) {
  const P = {};
  FORMS.params.forEach((name, i) => { P[name] = Number(m.sliders[i].value); });
  const h = Number(m.h.value), steps = Math.round(Number(m.steps.value));
  const scheme = m.scheme.value;
  const v = makeField(P);
  m.field_src.data = fieldArrows(v);
  const starts = m.start_src.data.x.map((x, i) => [Number(x), Number(m.start_src.data.y[i])]);
  const ode = { xs: [], ys: [] }, dode = { xs: [], ys: [] };
  const sch = { xs: [], ys: [] }, dsch = { xs: [], ys: [] };
  const step = scheme === "continuous" ? null : stepper(scheme, v, h, makeProject(P));
  for (const [x, y] of starts) {
    const [fx, fy] = flowPath(v, x, y, h, steps);
    ode.xs.push(fx); ode.ys.push(fy);
    const [dk, dd] = distances(fx, fy);
    dode.xs.push(dk); dode.ys.push(dd);
    if (step !== null) {
      const [sx, sy] = schemePath(step, x, y, steps);
      sch.xs.push(sx); sch.ys.push(sy);
      const [ek, ed] = distances(sx, sy);
      dsch.xs.push(ek); dsch.ys.push(ed);
    }
  }
  m.ode_src.data = ode;
  m.scheme_src.data = sch;
  m.dist_ode_src.data = dode;
  m.dist_scheme_src.data = dsch;
  m.status.text = "trajectories: " + starts.length + " (ODE " + ode.xs.length + ", scheme " +
    sch.xs.length + ")";
  const a = analysis(P, scheme, h);
  m.verdict.text = "verdict: " + a.verdict;
  m.hmax.text = a.hmax;
  m.spectrum.text = a.spectrum;
  m.eig_src.data = { re: a.eig.map((z) => z[0]), im: a.eig.map((z) => z[1]) };
  m.circle.visible = scheme !== "continuous";
  m.axis.visible = scheme === "continuous";
  m.eig_plot.title.text = scheme === "continuous" ? "eigenvalues of v'(0, 0), imaginary axis"
    : "eigenvalues of F'(0, 0), unit circle";
  m.latex.text = FORMS.latex[scheme];
}
