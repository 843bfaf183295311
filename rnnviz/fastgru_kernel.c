/* The two sequential loops of rnnviz.fastgru (a GRU layer's forward and backward through time) in C.

   rnnviz.fastgru compiles this file on first use with the machine's C compiler (cc -O3 -march=native,
   into a cache directory) and calls it through ctypes; where no compiler is found the same loops run
   as torch operations in Python. Both compute the same numbers (a test checks both against nn.GRU).
   Why C: at the app's sizes (H=32, B=64) one torch operation costs a few microseconds of dispatch
   and a GRU step needs six of them each way; here a step is one small matrix product and one pass
   over the gates.

   Layout as in fastgru.GRULayer: states transposed, [H, B], row-major, float32; w2 is W_hh [3H, H]
   with its n block doubled, so hh_t = p_t[0:3H] + w2 h_{t-1} holds the pre-activations of r and z
   and 2 (W_hn h_{t-1} + b_hn). With a2 = p_t[3H:4H] + r * hh_t[2H:3H] = 2 a_t:
   n_t = tanh(a_t) = 2 sigmoid(a2) - 1 and h_t = n_t + z_t (h_{t-1} - n_t). */

#include <math.h>
#include <stddef.h>
#include <string.h>

/* exp(x) for float x in [-87, 87]: 2^k e^r with |r| <= ln2/2, a degree-6 Taylor polynomial for e^r
   (relative error below 2e-7); written without branches or calls so that the compiler vectorises it. */
static inline float exp_f(float x) {
    x = x < -87.0f ? -87.0f : (x > 87.0f ? 87.0f : x);
    float k = floorf(x * 1.44269504088896341f + 0.5f);
    float r = x - k * 0.693145751953125f - k * 1.428606765330187e-06f;
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 + r * (1.0f / 720))))));
    int bits = ((int)k + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

static inline float sigmoid_f(float x) { return 1.0f / (1.0f + exp_f(-x)); }

/* out[m, n] += a[m, k] b[k, n] (row-major; out already holds the addend). Four rows of a at a time share
   every load of a row of b. */
static void gemm_acc(int m, int k, int n, const float *restrict a, const float *restrict b, float *restrict out) {
    int i = 0;
    for (; i + 4 <= m; i += 4) {
        float *restrict o0 = out + (size_t)i * n, *restrict o1 = o0 + n, *restrict o2 = o1 + n, *restrict o3 = o2 + n;
        const float *a0 = a + (size_t)i * k, *a1 = a0 + k, *a2 = a1 + k, *a3 = a2 + k;
        for (int q = 0; q < k; q++) {
            const float *restrict bq = b + (size_t)q * n;
            float c0 = a0[q], c1 = a1[q], c2 = a2[q], c3 = a3[q];
            for (int j = 0; j < n; j++) {
                float v = bq[j];
                o0[j] += c0 * v;
                o1[j] += c1 * v;
                o2[j] += c2 * v;
                o3[j] += c3 * v;
            }
        }
    }
    for (; i < m; i++) {
        float *restrict o = out + (size_t)i * n;
        for (int q = 0; q < k; q++) {
            const float *restrict bq = b + (size_t)q * n;
            float c = a[(size_t)i * k + q];
            for (int j = 0; j < n; j++) o[j] += c * bq[j];
        }
    }
}

/* out[n_, j] += sum_i a[i, q] d[i, j] for q < k: out += a^T d, a [m, k], d [m, n], out [k, n]. */
static void gemm_t_acc(int m, int k, int n, const float *restrict a, const float *restrict d, float *restrict out) {
    for (int q = 0; q < k; q++) {
        float *restrict o = out + (size_t)q * n;
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            const float *restrict d0 = d + (size_t)i * n, *restrict d1 = d0 + n, *restrict d2 = d1 + n, *restrict d3 = d2 + n;
            float c0 = a[(size_t)i * k + q], c1 = a[(size_t)(i + 1) * k + q], c2 = a[(size_t)(i + 2) * k + q],
                  c3 = a[(size_t)(i + 3) * k + q];
            for (int j = 0; j < n; j++) o[j] += c0 * d0[j] + c1 * d1[j] + c2 * d2[j] + c3 * d3[j];
        }
        for (; i < m; i++) {
            const float *restrict di = d + (size_t)i * n;
            float c = a[(size_t)i * k + q];
            for (int j = 0; j < n; j++) o[j] += c * di[j];
        }
    }
}

/* Forward. p [T, 4H, B], h0 [H, B], w2 [3H, H] -> hs [T+1, H, B] (h_0..h_T), rz [T, 2H, B] (r, z),
   n [T, H, B], hhn [T, H, B] (2 (W_hn h_{t-1} + b_hn)); hh is scratch [3H, B]. */
void rnnviz_gru_forward(int T, int H, int B, const float *restrict p, const float *restrict h0, const float *restrict w2,
                        float *restrict hs, float *restrict rz, float *restrict n, float *restrict hhn, float *restrict hh) {
    const size_t hb = (size_t)H * B;
    memcpy(hs, h0, hb * sizeof(float));
    for (int t = 0; t < T; t++) {
        const float *pt = p + (size_t)t * 4 * hb, *h = hs + (size_t)t * hb;
        float *h_next = hs + (size_t)(t + 1) * hb, *rzt = rz + (size_t)t * 2 * hb, *nt = n + (size_t)t * hb;
        float *hhnt = hhn + (size_t)t * hb;
        memcpy(hh, pt, 3 * hb * sizeof(float));
        gemm_acc(3 * H, H, B, w2, h, hh);
        for (size_t j = 0; j < 2 * hb; j++) rzt[j] = sigmoid_f(hh[j]);
        const float *r = rzt, *z = rzt + hb, *hn = hh + 2 * hb, *pn = pt + 3 * hb;
        for (size_t j = 0; j < hb; j++) {
            float nj = 2.0f * sigmoid_f(pn[j] + r[j] * hn[j]) - 1.0f;
            nt[j] = nj;
            hhnt[j] = hn[j];
            h_next[j] = nj + z[j] * (h[j] - nj);
        }
    }
}

/* Backward, t = T..1, everything of a layer's backward that runs through time. grad_out [T, H, B] (dL/dh_1..h_T
   from the outputs); the forward's hs, rz, n, hhn; w2 [3H, H] -> d_p [T, 4H, B] (dL/dp_t, p as in the forward:
   rows 0..3H are dL/dhh_t) and g0 [H, B] (dL/dh_0); g [H, B] is scratch. With g = dL/dh_t in total and
   ha = (1 - z)(1 - n^2) / 2:
     dL/dpre_r = g ha hhn r (1 - r),  dL/dpre_z = g (h_{t-1} - n) z (1 - z),  dL/dhhn = g ha r,  dL/dp_n = g ha
     dL/dh_{t-1} = dL/dh_{t-1} (from the output) + g z + w2^T dL/dhh_t */
void rnnviz_gru_backward(int T, int H, int B, const float *restrict grad_out, const float *restrict hs,
                         const float *restrict rz, const float *restrict n, const float *restrict hhn,
                         const float *restrict w2, float *restrict d_p, float *restrict g0, float *restrict g) {
    const size_t hb = (size_t)H * B;
    memcpy(g, grad_out + (size_t)(T - 1) * hb, hb * sizeof(float));
    for (int t = T - 1; t >= 0; t--) {
        const float *h = hs + (size_t)t * hb, *r = rz + (size_t)t * 2 * hb, *z = r + hb, *nt = n + (size_t)t * hb;
        const float *hn = hhn + (size_t)t * hb;
        float *dr = d_p + (size_t)t * 4 * hb, *dz = dr + hb, *dhn = dz + hb, *dpn = dhn + hb;
        for (size_t j = 0; j < hb; j++) {
            float gj = g[j], ha = 0.5f * (1.0f - z[j]) * (1.0f - nt[j] * nt[j]) * gj;
            dr[j] = ha * hn[j] * r[j] * (1.0f - r[j]);
            dz[j] = gj * (h[j] - nt[j]) * z[j] * (1.0f - z[j]);
            dhn[j] = ha * r[j];
            dpn[j] = ha;
        }
        float *prev = g0; /* dL/dh_{t-1}, built in g0, then moved to g for the next step */
        if (t > 0) {
            const float *go = grad_out + (size_t)(t - 1) * hb;
            for (size_t j = 0; j < hb; j++) prev[j] = go[j] + g[j] * z[j];
        } else {
            for (size_t j = 0; j < hb; j++) prev[j] = g[j] * z[j];
        }
        gemm_t_acc(3 * H, H, B, w2, dr, prev);
        if (t > 0) memcpy(g, prev, hb * sizeof(float));
    }
}
