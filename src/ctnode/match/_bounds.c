/* The first steps of ctnode.match.bounds.bounds_large in one compiled call (issue 11).

   What the query's finding plans reach, summed per listed name: the names' best values per
   query unit (a unit's lists: the largest ub·w_q and ub·w_c of those holding the name), the
   names' sums a = Σ ub·w_q, c = Σ ub·w_c, qw = Σ w_q; then (with a floor and set-aside
   plans) the names that stay below the floor even if every set-aside list held them are
   dropped, or (no set-aside plans) the names' bounds are taken. The numpy code in
   bounds.py is the reference: the same operations on the same values in the same order,
   so the results are the same to the bit (tests/match/test_compiled_bounds.py). Built at
   install time where a C compiler is found (optional: bounds.py falls back to numpy).

   No numpy headers: posting lists (int32) and the names' totals (float64) are read through
   the buffer protocol; the results are bytearrays that bounds.py views with numpy. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    Py_buffer view;
    const int32_t *ids;
    Py_ssize_t n;
    double qv, cv, qweight;
    long unit;
    long rank;
} List;

typedef struct {
    double w_q, partial, base, excess, min_info, whole_start, covered, cap_sim, half, eps;
    int truncated, capped;
} Consts;

/* name_bounds (bounds.py) for one name: its operations in its order */
static double name_bound(const Consts *k, double a, double c, double qw, double w_c)
{
    double denom, f, least, value, known;
    if (k->truncated) {
        denom = 0.0 * w_c;
    } else {
        f = a / k->min_info;
        f = f - k->whole_start;
        f = f > 0.0 ? f : 0.0;
        f = f < 1.0 ? f : 1.0;
        f *= k->covered;
        f = 1.0 - f;
        f *= k->half;
        if (qw < k->partial)
            f = k->half;
        denom = f * w_c;
    }
    denom += k->base;
    least = k->w_q < qw ? k->w_q : qw;
    least *= k->excess;
    denom -= least;
    denom = denom > 1e-12 ? denom : 1e-12;
    value = k->w_q < a ? k->w_q : a;
    value += w_c < c ? w_c : c;
    value *= 0.5;
    value /= denom;
    value = value < 1.0 ? value : 1.0;
    if (k->capped) {
        known = a / k->cap_sim;
        known = known < qw ? known : qw;
        known = known > a ? known : a;
        known /= k->min_info;
        known = known < 1.0 ? known : 1.0;
        value *= known;
    }
    return value;
}

static int float_of(PyObject *obj, double *out)
{
    *out = PyFloat_AsDouble(obj);
    return (*out == -1.0 && PyErr_Occurred()) ? -1 : 0;
}

/* LSD radix sort of n keys below 2^bits (11-bit digits); the result in *keys */
static int radix_sort(uint64_t **keys, Py_ssize_t n, int bits)
{
    uint64_t *src = *keys, *dst;
    Py_ssize_t count[2048];
    int shift;
    if (n < 2)
        return 0;
    dst = PyMem_Malloc((size_t)n * sizeof(uint64_t));
    if (dst == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (shift = 0; shift < bits; shift += 11) {
        Py_ssize_t i, sum = 0, first;
        uint64_t *tmp;
        memset(count, 0, sizeof(count));
        for (i = 0; i < n; i++)
            count[(src[i] >> shift) & 2047]++;
        first = count[(src[0] >> shift) & 2047];
        if (first == n)
            continue; /* every key has this digit: already in order by it */
        for (i = 0; i < 2048; i++) {
            Py_ssize_t c = count[i];
            count[i] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 2047]++] = src[i];
        tmp = src;
        src = dst;
        dst = tmp;
    }
    PyMem_Free(dst);
    *keys = src;
    return 0;
}

static int bits_for(uint64_t v)
{
    int b = 0;
    while (v) {
        b++;
        v >>= 1;
    }
    return b;
}

static PyObject *new_bytes(Py_ssize_t n, size_t item, char **data)
{
    PyObject *out = PyByteArray_FromStringAndSize(NULL, n * (Py_ssize_t)item);
    if (out != NULL)
        *data = PyByteArray_AS_STRING(out);
    return out;
}

/* per skipped plan: its unit, a_max, c_max, qweight and the found values of its unit */
typedef struct {
    long unit;
    double a_max, c_max, qweight;
    int found; /* index into the found units, or -1 */
} Skip;

PyDoc_STRVAR(gather_doc,
"gather(finding, skipped, totals, floor, consts, want_rows, final)\n\n"
"bounds_large's sums of the names the finding plans reach, its first drop (a floor and\n"
"set-aside plans) or its bounds (final: no set-aside plans, no merged unit); see bounds.py.");

/* a view taken with get_view or PyObject_GetBuffer, released if it was taken */
static void release_view(Py_buffer *view)
{
    if (view->obj != NULL)
        PyBuffer_Release(view);
}

/* append (id, bound) to the result list; -1 with Python's error set when that fails */
static int append_bound(PyObject *result, int32_t id, double bound)
{
    PyObject *pair = Py_BuildValue("(id)", (int)id, bound);
    int failed = pair == NULL || PyList_Append(result, pair) < 0;
    Py_XDECREF(pair);
    return failed ? -1 : 0;
}

static PyObject *gather(PyObject *self, PyObject *args)
{
    PyObject *finding, *skipped, *totals_obj, *floor_obj, *consts_obj;
    int want_rows, final;
    Py_buffer totals = {0};
    List *lists = NULL;
    Py_ssize_t n_lists = 0, n_finding, n_skipped, n_rows = 0, i, j;
    uint64_t *keys = NULL;
    Skip *skips = NULL;
    long *found_units = NULL;
    int n_found_units = 0;
    double floor = 0.0;
    int has_floor;
    Consts k;
    PyObject *result = NULL;
    /* per name (sorted) and per (name, unit) row */
    int32_t *uniq = NULL;
    double *q_acc = NULL, *c_acc = NULL, *qw_acc = NULL;
    double **fq = NULL, **fc = NULL;
    int64_t *row_name = NULL, *row_unit = NULL;
    double *row_q = NULL, *row_c = NULL;
    Py_ssize_t n_uniq = 0, n_out_rows = 0;

    if (!PyArg_ParseTuple(args, "O!O!OOO!pp", &PyList_Type, &finding, &PyList_Type, &skipped,
                          &totals_obj, &floor_obj, &PyTuple_Type, &consts_obj, &want_rows,
                          &final))
        return NULL;
    n_finding = PyList_GET_SIZE(finding);
    n_skipped = PyList_GET_SIZE(skipped);
    has_floor = floor_obj != Py_None;
    if (has_floor && float_of(floor_obj, &floor) < 0)
        return NULL;
    if (PyTuple_GET_SIZE(consts_obj) != 12) {
        PyErr_SetString(PyExc_ValueError, "consts: 12 values");
        return NULL;
    }
    {
        double *dst[10] = {&k.w_q, &k.partial, &k.base, &k.excess, &k.min_info,
                           &k.whole_start, &k.covered, &k.cap_sim, &k.half, &k.eps};
        for (i = 0; i < 10; i++)
            if (float_of(PyTuple_GET_ITEM(consts_obj, i), dst[i]) < 0)
                return NULL;
        k.truncated = PyObject_IsTrue(PyTuple_GET_ITEM(consts_obj, 10));
        k.capped = PyObject_IsTrue(PyTuple_GET_ITEM(consts_obj, 11));
        if (k.truncated < 0 || k.capped < 0)
            return NULL;
    }
    if (PyObject_GetBuffer(totals_obj, &totals, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return NULL;
    if (totals.itemsize != 8 || totals.format == NULL || strcmp(totals.format, "d") != 0) {
        PyErr_SetString(PyExc_TypeError, "totals: a buffer of float64");
        goto done;
    }

    /* the finding plans' lists, in order */
    for (i = 0; i < n_finding; i++) {
        PyObject *plan = PyList_GET_ITEM(finding, i);
        if (!PyTuple_Check(plan) || PyTuple_GET_SIZE(plan) != 6 ||
            !PyList_Check(PyTuple_GET_ITEM(plan, 5))) {
            PyErr_SetString(PyExc_TypeError, "finding: Plans");
            goto done;
        }
        n_lists += PyList_GET_SIZE(PyTuple_GET_ITEM(plan, 5));
    }
    lists = PyMem_Calloc(n_lists ? (size_t)n_lists : 1, sizeof(List));
    if (lists == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    {
        Py_ssize_t at = 0;
        int sort_branch = n_lists > n_finding;
        long max_rank = 0, unit;
        double qweight;
        uint64_t max_id = 0;
        int id_bits, rank_bits, list_bits;
        for (i = 0; i < n_finding; i++) {
            PyObject *plan = PyList_GET_ITEM(finding, i);
            PyObject *reach = PyTuple_GET_ITEM(plan, 5);
            unit = PyLong_AsLong(PyTuple_GET_ITEM(plan, 0));
            if (unit == -1 && PyErr_Occurred())
                goto done;
            if (unit < 0 || unit > 1000000) {
                PyErr_SetString(PyExc_ValueError, "finding: a unit out of range");
                goto done;
            }
            if (float_of(PyTuple_GET_ITEM(plan, 2), &qweight) < 0)
                goto done;
            for (j = 0; j < PyList_GET_SIZE(reach); j++, at++) {
                PyObject *entry = PyList_GET_ITEM(reach, j);
                List *l = &lists[at];
                if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 3) {
                    PyErr_SetString(PyExc_TypeError, "finding: (postings, ub·w_q, ub·w_c)");
                    goto done;
                }
                if (PyObject_GetBuffer(PyTuple_GET_ITEM(entry, 0), &l->view,
                                       PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
                    goto done;
                l->ids = l->view.buf; /* (set only once the view is held: released below) */
                if (l->view.itemsize != 4 || l->view.format == NULL ||
                    strcmp(l->view.format, "i") != 0) {
                    PyErr_SetString(PyExc_TypeError, "postings: a buffer of int32");
                    goto done;
                }
                l->n = l->view.len / 4;
                if (float_of(PyTuple_GET_ITEM(entry, 1), &l->qv) < 0 ||
                    float_of(PyTuple_GET_ITEM(entry, 2), &l->cv) < 0)
                    goto done;
                l->qweight = qweight;
                l->unit = unit;
                /* bincount adds a name's rows in the order numpy left them: sorted by
                   (name, unit) when a unit has several lists, else the plans' order */
                l->rank = sort_branch ? unit : (long)i;
                if (l->rank > max_rank)
                    max_rank = l->rank;
                if (l->n) {
                    if (l->ids[0] < 0 || (Py_ssize_t)l->ids[l->n - 1] >= totals.len / 8) {
                        PyErr_SetString(PyExc_ValueError, "postings: a name id out of range");
                        goto done;
                    }
                    if ((uint64_t)l->ids[l->n - 1] > max_id)
                        max_id = (uint64_t)l->ids[l->n - 1];
                }
                n_rows += l->n;
            }
        }
        id_bits = bits_for(max_id);
        rank_bits = bits_for((uint64_t)max_rank);
        list_bits = bits_for((uint64_t)n_lists);
        if (id_bits + rank_bits + list_bits > 63) {
            PyErr_SetString(PyExc_ValueError, "too many lists to sort");
            goto done;
        }
        keys = PyMem_Malloc((n_rows ? (size_t)n_rows : 1) * sizeof(uint64_t));
        if (keys == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        at = 0;
        for (i = 0; i < n_lists; i++) {
            List *l = &lists[i];
            uint64_t hi = ((uint64_t)l->rank << list_bits) | (uint64_t)i;
            for (j = 0; j < l->n; j++)
                keys[at++] = ((uint64_t)l->ids[j] << (rank_bits + list_bits)) | hi;
        }
        if (radix_sort(&keys, n_rows, id_bits + rank_bits + list_bits) < 0)
            goto done;

        /* the skipped plans: which found their unit's names too */
        skips = PyMem_Calloc(n_skipped ? (size_t)n_skipped : 1, sizeof(Skip));
        found_units = PyMem_Calloc(n_skipped ? (size_t)n_skipped : 1, sizeof(long));
        if (skips == NULL || found_units == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        for (i = 0; i < n_skipped; i++) {
            PyObject *plan = PyList_GET_ITEM(skipped, i);
            Skip *s = &skips[i];
            int in_finding = 0, u;
            if (!PyTuple_Check(plan) || PyTuple_GET_SIZE(plan) != 6) {
                PyErr_SetString(PyExc_TypeError, "skipped: Plans");
                goto done;
            }
            s->unit = PyLong_AsLong(PyTuple_GET_ITEM(plan, 0));
            if (s->unit == -1 && PyErr_Occurred())
                goto done;
            if (float_of(PyTuple_GET_ITEM(plan, 2), &s->qweight) < 0 ||
                float_of(PyTuple_GET_ITEM(plan, 3), &s->a_max) < 0 ||
                float_of(PyTuple_GET_ITEM(plan, 4), &s->c_max) < 0)
                goto done;
            for (j = 0; j < n_lists; j++)
                if (lists[j].unit == s->unit) {
                    in_finding = 1;
                    break;
                }
            s->found = -1;
            if (!in_finding)
                continue;
            for (u = 0; u < n_found_units; u++)
                if (found_units[u] == s->unit)
                    s->found = u;
            if (s->found < 0) {
                found_units[n_found_units] = s->unit;
                s->found = n_found_units++;
            }
        }

        /* one pass over the sorted rows: per (name, rank) the best values of its lists,
           per name their sums in rank order */
        uniq = PyMem_Malloc((n_rows ? (size_t)n_rows : 1) * sizeof(int32_t));
        q_acc = PyMem_Malloc((n_rows ? (size_t)n_rows : 1) * sizeof(double) * 3);
        row_name = PyMem_Malloc((n_rows ? (size_t)n_rows : 1) * sizeof(int64_t) * 2);
        row_q = PyMem_Malloc((n_rows ? (size_t)n_rows : 1) * sizeof(double) * 2);
        if (uniq == NULL || q_acc == NULL || row_name == NULL || row_q == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        c_acc = q_acc + n_rows;
        qw_acc = c_acc + n_rows;
        row_unit = row_name + n_rows;
        row_c = row_q + n_rows;
        {
            uint64_t list_mask = ((uint64_t)1 << list_bits) - 1;
            Py_ssize_t r = 0;
            while (r < n_rows) {
                uint64_t group = keys[r] >> list_bits; /* (name, rank) */
                List *l = &lists[keys[r] & list_mask];
                int32_t id = (int32_t)(group >> rank_bits);
                double q = l->qv, c = l->cv;
                Py_ssize_t r2 = r + 1;
                while (r2 < n_rows && (keys[r2] >> list_bits) == group) {
                    List *o = &lists[keys[r2] & list_mask];
                    /* np.maximum.reduceat: the larger, left to right */
                    q = o->qv > q ? o->qv : q;
                    c = o->cv > c ? o->cv : c;
                    r2++;
                }
                if (n_uniq == 0 || uniq[n_uniq - 1] != id) {
                    uniq[n_uniq] = id;
                    q_acc[n_uniq] = 0.0;
                    c_acc[n_uniq] = 0.0;
                    qw_acc[n_uniq] = 0.0;
                    n_uniq++;
                }
                q_acc[n_uniq - 1] += q;
                c_acc[n_uniq - 1] += c;
                qw_acc[n_uniq - 1] += l->qweight;
                row_name[n_out_rows] = n_uniq - 1;
                row_unit[n_out_rows] = l->unit;
                row_q[n_out_rows] = q;
                row_c[n_out_rows] = c;
                n_out_rows++;
                r = r2;
            }
        }
    }

    /* per unit that found names and was set aside too: its values per name */
    if (n_found_units) {
        fq = PyMem_Calloc((size_t)n_found_units * 2, sizeof(double *));
        if (fq == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        fc = fq + n_found_units;
        for (i = 0; i < n_found_units; i++) {
            fq[i] = PyMem_Calloc(n_uniq ? (size_t)n_uniq * 2 : 1, sizeof(double));
            if (fq[i] == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            fc[i] = fq[i] + n_uniq;
        }
        for (j = 0; j < n_out_rows; j++)
            for (i = 0; i < n_found_units; i++)
                if (found_units[i] == row_unit[j]) {
                    fq[i][row_name[j]] = row_q[j];
                    fc[i][row_name[j]] = row_c[j];
                }
    }

    {
        const double *tc = totals.buf;
        int prune = n_skipped && has_floor;
        int bound_all = !n_skipped && final;
        PyObject *o_uniq = NULL, *o_q = NULL, *o_c = NULL, *o_qw = NULL, *o_val = NULL;
        PyObject *o_found = NULL, *o_rows = NULL;
        char *d_uniq, *d_q, *d_c, *d_qw, *d_val = NULL;
        Py_ssize_t n_kept = 0;
        double *values = NULL;
        char *keep = NULL;
        if (prune || bound_all) {
            values = PyMem_Malloc(n_uniq ? (size_t)n_uniq * sizeof(double) : 1);
            keep = PyMem_Malloc(n_uniq ? (size_t)n_uniq : 1);
            if (values == NULL || keep == NULL) {
                PyMem_Free(values);
                PyMem_Free(keep);
                PyErr_NoMemory();
                goto done;
            }
            for (i = 0; i < n_uniq; i++) {
                double a = q_acc[i], c = c_acc[i], qw = qw_acc[i], v;
                if (prune) { /* _add_most per set-aside plan, in order */
                    Py_ssize_t s;
                    for (s = 0; s < n_skipped; s++) {
                        const Skip *p = &skips[s];
                        if (p->found < 0) {
                            a += p->a_max;
                            c += p->c_max;
                            qw += p->qweight;
                        } else {
                            double f_q = fq[p->found][i], f_c = fc[p->found][i];
                            double da = p->a_max - f_q, dc = p->c_max - f_c;
                            a += 0.0 > da ? 0.0 : da; /* np.maximum(0.0, a_max − fq) */
                            c += 0.0 > dc ? 0.0 : dc;
                            qw += f_q == 0.0 ? p->qweight : 0.0;
                        }
                    }
                }
                v = name_bound(&k, a, c, qw, tc[uniq[i]]) + k.eps;
                values[i] = v;
                keep[i] = !has_floor || v >= floor;
                n_kept += keep[i];
            }
        } else {
            n_kept = n_uniq;
        }
        o_uniq = new_bytes(n_kept, 4, &d_uniq);
        o_q = new_bytes(bound_all ? 0 : n_kept, 8, &d_q);
        o_c = new_bytes(bound_all ? 0 : n_kept, 8, &d_c);
        o_qw = new_bytes(bound_all ? 0 : n_kept, 8, &d_qw);
        if (values != NULL)
            o_val = new_bytes(n_kept, 8, &d_val);
        else {
            o_val = Py_None;
            Py_INCREF(o_val);
        }
        o_found = PyDict_New();
        if (o_uniq == NULL || o_q == NULL || o_c == NULL || o_qw == NULL || o_val == NULL ||
            o_found == NULL)
            goto out_fail;
        {
            Py_ssize_t at = 0;
            for (i = 0; i < n_uniq; i++) {
                if (keep != NULL && !keep[i])
                    continue;
                memcpy(d_uniq + 4 * at, &uniq[i], 4);
                if (!bound_all) {
                    memcpy(d_q + 8 * at, &q_acc[i], 8);
                    memcpy(d_c + 8 * at, &c_acc[i], 8);
                    memcpy(d_qw + 8 * at, &qw_acc[i], 8);
                }
                if (d_val != NULL)
                    memcpy(d_val + 8 * at, &values[i], 8);
                at++;
            }
        }
        for (j = 0; j < n_found_units && !bound_all; j++) {
            char *d_fq, *d_fc;
            PyObject *b_q = new_bytes(n_kept, 8, &d_fq), *b_c = NULL, *pair = NULL, *key;
            Py_ssize_t at = 0;
            if (b_q != NULL)
                b_c = new_bytes(n_kept, 8, &d_fc);
            if (b_c != NULL)
                pair = PyTuple_Pack(2, b_q, b_c);
            Py_XDECREF(b_q);
            Py_XDECREF(b_c);
            if (pair == NULL)
                goto out_fail;
            for (i = 0; i < n_uniq; i++) {
                if (keep != NULL && !keep[i])
                    continue;
                memcpy(d_fq + 8 * at, &fq[j][i], 8);
                memcpy(d_fc + 8 * at, &fc[j][i], 8);
                at++;
            }
            key = PyLong_FromLong(found_units[j]);
            if (key == NULL || PyDict_SetItem(o_found, key, pair) < 0) {
                Py_XDECREF(key);
                Py_DECREF(pair);
                goto out_fail;
            }
            Py_DECREF(key);
            Py_DECREF(pair);
        }
        if (want_rows) {
            char *d_names, *d_rn, *d_ru, *d_rq, *d_rc;
            PyObject *names = new_bytes(n_uniq, 4, &d_names);
            PyObject *rn = new_bytes(n_out_rows, 8, &d_rn);
            PyObject *ru = new_bytes(n_out_rows, 8, &d_ru);
            PyObject *rq = new_bytes(n_out_rows, 8, &d_rq);
            PyObject *rc = new_bytes(n_out_rows, 8, &d_rc);
            if (names != NULL && rn != NULL && ru != NULL && rq != NULL && rc != NULL) {
                memcpy(d_names, uniq, (size_t)n_uniq * 4);
                memcpy(d_rn, row_name, (size_t)n_out_rows * 8);
                memcpy(d_ru, row_unit, (size_t)n_out_rows * 8);
                memcpy(d_rq, row_q, (size_t)n_out_rows * 8);
                memcpy(d_rc, row_c, (size_t)n_out_rows * 8);
                o_rows = PyTuple_Pack(5, names, rn, ru, rq, rc);
            }
            Py_XDECREF(names);
            Py_XDECREF(rn);
            Py_XDECREF(ru);
            Py_XDECREF(rq);
            Py_XDECREF(rc);
            if (o_rows == NULL)
                goto out_fail;
        } else {
            o_rows = Py_None;
            Py_INCREF(o_rows);
        }
        result = PyTuple_Pack(7, o_uniq, o_q, o_c, o_qw, o_val, o_found, o_rows);
    out_fail:
        Py_XDECREF(o_uniq);
        Py_XDECREF(o_q);
        Py_XDECREF(o_c);
        Py_XDECREF(o_qw);
        Py_XDECREF(o_val);
        Py_XDECREF(o_found);
        Py_XDECREF(o_rows);
        PyMem_Free(values);
        PyMem_Free(keep);
    }

done:
    if (lists != NULL) {
        for (i = 0; i < n_lists; i++)
            release_view(&lists[i].view);
        PyMem_Free(lists);
    }
    if (fq != NULL) {
        for (i = 0; i < n_found_units; i++)
            PyMem_Free(fq[i]);
        PyMem_Free(fq);
    }
    PyMem_Free(keys);
    PyMem_Free(skips);
    PyMem_Free(found_units);
    PyMem_Free(uniq);
    PyMem_Free(q_acc);
    PyMem_Free(row_name);
    PyMem_Free(row_q);
    release_view(&totals);
    return result;
}

/* bound_of (bounds.py) for one name: its operations in its order (not name_bounds's) */
static double scalar_bound(const Consts *k, double a, double c, double qw, double w_c)
{
    double f, r, numer, denom, value, known, info;
    if (k->truncated)
        f = 0.0;
    else if (qw < k->partial)
        f = k->half;
    else {
        r = a / k->min_info - 1.0;
        r = r > 0.0 ? r : 0.0;
        f = k->half * (1.0 - k->covered * (r < 1.0 ? r : 1.0));
    }
    numer = 0.5 * ((a < k->w_q ? a : k->w_q) + (c < w_c ? c : w_c));
    denom = k->base + f * w_c - k->excess * (qw < k->w_q ? qw : k->w_q);
    if (denom > 0) {
        value = numer / denom;
        if (!(value < 1.0))
            value = 1.0;
    } else
        value = 1.0;
    if (k->capped) {
        known = a / k->cap_sim;
        known = known < qw ? known : qw;
        info = (known > a ? known : a) / k->min_info;
        return value * (info < 1.0 ? info : 1.0);
    }
    return value;
}

static int read_consts(PyObject *consts_obj, Consts *k)
{
    Py_ssize_t i;
    double *dst[10] = {&k->w_q, &k->partial, &k->base, &k->excess, &k->min_info,
                       &k->whole_start, &k->covered, &k->cap_sim, &k->half, &k->eps};
    if (!PyTuple_Check(consts_obj) || PyTuple_GET_SIZE(consts_obj) != 12) {
        PyErr_SetString(PyExc_ValueError, "consts: 12 values");
        return -1;
    }
    for (i = 0; i < 10; i++)
        if (float_of(PyTuple_GET_ITEM(consts_obj, i), dst[i]) < 0)
            return -1;
    k->truncated = PyObject_IsTrue(PyTuple_GET_ITEM(consts_obj, 10));
    k->capped = PyObject_IsTrue(PyTuple_GET_ITEM(consts_obj, 11));
    return (k->truncated < 0 || k->capped < 0) ? -1 : 0;
}

static int get_view(PyObject *obj, Py_buffer *view, Py_ssize_t item, const char *fmt,
                    const char *what)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return -1;
    if (view->itemsize != item || view->format == NULL || strcmp(view->format, fmt) != 0) {
        PyBuffer_Release(view);
        view->obj = NULL;
        PyErr_Format(PyExc_TypeError, "%s: a buffer of the wrong type", what);
        return -1;
    }
    return 0;
}

/* the first index in ids[0..n) whose id is >= v */
static Py_ssize_t lower_bound(const int32_t *ids, Py_ssize_t n, int32_t v)
{
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (ids[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

PyDoc_STRVAR(look_up_doc,
"look_up(ids, a, c, qw, found_by, skipped, totals, floor, consts)\n\n"
"look_up_skipped (bounds.py) for the few names left: the set-aside plans' lists searched\n"
"for them, their values added, then their bounds (bound_of's) at or above the floor.");

/* look_up's and look_up_all's inputs: the names' ids (ascending, each a row of totals) and
   their sums a, c, qw (one per name); -1 with Python's error set (the views taken are released
   by the caller, as release_view does for a view never taken) */
static int name_views(PyObject *ids_o, PyObject *a_o, PyObject *c_o, PyObject *qw_o,
                      PyObject *totals_o, Py_buffer *ids, Py_buffer *va, Py_buffer *vc,
                      Py_buffer *vqw, Py_buffer *totals, Py_ssize_t *n)
{
    const int32_t *id;
    Py_ssize_t i;
    if (get_view(ids_o, ids, 4, "i", "ids") < 0 || get_view(a_o, va, 8, "d", "a") < 0 ||
        get_view(c_o, vc, 8, "d", "c") < 0 || get_view(qw_o, vqw, 8, "d", "qw") < 0 ||
        get_view(totals_o, totals, 8, "d", "totals") < 0)
        return -1;
    *n = ids->len / 4;
    if (va->len != *n * 8 || vc->len != *n * 8 || vqw->len != *n * 8) {
        PyErr_SetString(PyExc_ValueError, "ids, a, c, qw: one value per name");
        return -1;
    }
    id = ids->buf;
    for (i = 0; i < *n; i++)
        if (id[i] < 0 || (Py_ssize_t)id[i] >= totals->len / 8 || (i && id[i] <= id[i - 1])) {
            PyErr_SetString(PyExc_ValueError, "ids: ascending name ids");
            return -1;
        }
    return 0;
}

static PyObject *look_up(PyObject *self, PyObject *args)
{
    PyObject *ids_o, *a_o, *c_o, *qw_o, *found_o, *skipped, *totals_o, *floor_o, *consts_o;
    Py_buffer ids = {0}, va = {0}, vc = {0}, vqw = {0}, totals = {0};
    Py_buffer *fviews = NULL;
    Py_ssize_t n = 0, i, j, p, n_skipped, n_fviews = 0;
    double *a = NULL, *c = NULL, *qw = NULL, *q_best, *c_best;
    double floor = 0.0;
    int has_floor;
    Consts k;
    PyObject *result = NULL;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOO!O!OOO", &ids_o, &a_o, &c_o, &qw_o, &PyDict_Type,
                          &found_o, &PyList_Type, &skipped, &totals_o, &floor_o, &consts_o))
        return NULL;
    has_floor = floor_o != Py_None;
    if ((has_floor && float_of(floor_o, &floor) < 0) || read_consts(consts_o, &k) < 0)
        return NULL;
    if (name_views(ids_o, a_o, c_o, qw_o, totals_o, &ids, &va, &vc, &vqw, &totals, &n) < 0)
        goto done;
    /* the sums, copied: the set-aside plans add to them */
    a = PyMem_Malloc((n ? (size_t)n : 1) * 5 * sizeof(double));
    if (a == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    c = a + n;
    qw = c + n;
    q_best = qw + n;
    c_best = q_best + n;
    memcpy(a, va.buf, (size_t)n * 8);
    memcpy(c, vc.buf, (size_t)n * 8);
    memcpy(qw, vqw.buf, (size_t)n * 8);
    n_skipped = PyList_GET_SIZE(skipped);
    fviews = PyMem_Calloc((size_t)(2 * PyDict_GET_SIZE(found_o) + 1), sizeof(Py_buffer));
    if (fviews == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (p = 0; p < n_skipped && n; p++) {
        PyObject *plan = PyList_GET_ITEM(skipped, p), *reach, *unit, *found;
        const double *fq = NULL, *fc = NULL;
        const int32_t *id = ids.buf;
        double qweight;
        if (!PyTuple_Check(plan) || PyTuple_GET_SIZE(plan) != 6 ||
            !PyList_Check(PyTuple_GET_ITEM(plan, 5))) {
            PyErr_SetString(PyExc_TypeError, "skipped: Plans");
            goto done;
        }
        unit = PyTuple_GET_ITEM(plan, 0);
        reach = PyTuple_GET_ITEM(plan, 5);
        if (float_of(PyTuple_GET_ITEM(plan, 2), &qweight) < 0)
            goto done;
        found = PyDict_GetItemWithError(found_o, unit);
        if (found == NULL && PyErr_Occurred())
            goto done;
        if (found != NULL) {
            if (!PyTuple_Check(found) || PyTuple_GET_SIZE(found) != 2) {
                PyErr_SetString(PyExc_TypeError, "found_by: (fq, fc) per unit");
                goto done;
            }
            if (n_fviews + 2 > 2 * PyDict_GET_SIZE(found_o)) {
                PyErr_SetString(PyExc_ValueError, "found_by: a unit set aside twice");
                goto done;
            }
            if (get_view(PyTuple_GET_ITEM(found, 0), &fviews[n_fviews], 8, "d", "fq") < 0)
                goto done;
            n_fviews++;
            if (get_view(PyTuple_GET_ITEM(found, 1), &fviews[n_fviews], 8, "d", "fc") < 0)
                goto done;
            n_fviews++;
            if (fviews[n_fviews - 2].len != n * 8 || fviews[n_fviews - 1].len != n * 8) {
                PyErr_SetString(PyExc_ValueError, "found_by: one value per name");
                goto done;
            }
            fq = fviews[n_fviews - 2].buf;
            fc = fviews[n_fviews - 1].buf;
        }
        /* per name: the best values of this plan's lists holding it (0: none does) */
        memset(q_best, 0, (size_t)n * 2 * sizeof(double));
        for (j = 0; j < PyList_GET_SIZE(reach); j++) {
            PyObject *entry = PyList_GET_ITEM(reach, j);
            Py_buffer post;
            const int32_t *pid;
            Py_ssize_t m, x;
            double qv, cv;
            if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 3) {
                PyErr_SetString(PyExc_TypeError, "skipped: (postings, ub·w_q, ub·w_c)");
                goto done;
            }
            if (float_of(PyTuple_GET_ITEM(entry, 1), &qv) < 0 ||
                float_of(PyTuple_GET_ITEM(entry, 2), &cv) < 0)
                goto done;
            if (get_view(PyTuple_GET_ITEM(entry, 0), &post, 4, "i", "postings") < 0)
                goto done;
            pid = post.buf;
            m = post.len / 4;
            if (m > n) { /* each name searched in the list */
                Py_ssize_t lo = 0;
                for (i = 0; i < n; i++) {
                    lo += lower_bound(pid + lo, m - lo, id[i]);
                    if (lo < m && pid[lo] == id[i]) {
                        q_best[i] = qv > q_best[i] ? qv : q_best[i];
                        c_best[i] = cv > c_best[i] ? cv : c_best[i];
                    }
                }
            } else { /* each listed id searched among the names */
                Py_ssize_t lo = 0;
                for (x = 0; x < m && lo < n; x++) {
                    lo += lower_bound(id + lo, n - lo, pid[x]);
                    if (lo < n && id[lo] == pid[x]) {
                        q_best[lo] = qv > q_best[lo] ? qv : q_best[lo];
                        c_best[lo] = cv > c_best[lo] ? cv : c_best[lo];
                    }
                }
            }
            PyBuffer_Release(&post);
        }
        /* a unit found on both sides counts once, with its best values (a name its unit
           found with ub·w_q 0 counts as not found: look_up_skipped's by_unit) */
        for (i = 0; i < n; i++) {
            double f_q, f_c, dq, dc;
            if (!(q_best[i] > 0.0))
                continue;
            f_q = fq != NULL ? fq[i] : 0.0;
            f_c = (fq != NULL && f_q > 0.0) ? fc[i] : 0.0;
            if (!(f_q > 0.0))
                f_q = 0.0;
            dq = q_best[i] - f_q;
            dc = c_best[i] - f_c;
            a[i] += 0.0 >= dq ? 0.0 : dq; /* Python's max(0.0, x): 0.0 unless x is larger */
            c[i] += 0.0 >= dc ? 0.0 : dc;
            qw[i] += f_q == 0.0 ? qweight : 0.0;
        }
    }
    result = PyList_New(0);
    if (result == NULL)
        goto done;
    {
        const int32_t *id = ids.buf;
        const double *tc = totals.buf;
        for (i = 0; i < n; i++) {
            double b = scalar_bound(&k, a[i], c[i], qw[i], tc[id[i]]) + k.eps;
            if (has_floor && !(b >= floor))
                continue;
            if (append_bound(result, id[i], b) < 0) {
                Py_CLEAR(result);
                goto done;
            }
        }
    }
done:
    for (i = 0; i < n_fviews; i++)
        PyBuffer_Release(&fviews[i]);
    PyMem_Free(fviews);
    PyMem_Free(a);
    release_view(&ids);
    release_view(&va);
    release_view(&vc);
    release_view(&vqw);
    release_view(&totals);
    return result;
}

/* per name (ids, ascending): raise best[i] to the list's values where the list holds it */
static void held(const int32_t *id, Py_ssize_t n, const int32_t *pid, Py_ssize_t m, double qv,
                 double cv, double *q_best, double *c_best)
{
    Py_ssize_t i, x, lo = 0;
    if (m > n) { /* each name searched in the list */
        for (i = 0; i < n && lo < m; i++) {
            lo += lower_bound(pid + lo, m - lo, id[i]);
            if (lo < m && pid[lo] == id[i]) {
                q_best[i] = qv > q_best[i] ? qv : q_best[i];
                c_best[i] = cv > c_best[i] ? cv : c_best[i];
            }
        }
    } else { /* each listed id searched among the names */
        for (x = 0; x < m && lo < n; x++) {
            lo += lower_bound(id + lo, n - lo, pid[x]);
            if (lo < n && id[lo] == pid[x]) {
                q_best[lo] = qv > q_best[lo] ? qv : q_best[lo];
                c_best[lo] = cv > c_best[lo] ? cv : c_best[lo];
            }
        }
    }
}

typedef struct {
    double qweight, a_max, c_max;
    int found; /* index of its unit's found values, or -1 */
    Py_ssize_t n_lists;
    Py_buffer *views; /* its lists, most valuable first (bounds.py's sort) */
    double *qv, *cv;
} Held;

PyDoc_STRVAR(look_up_all_doc,
"look_up_all(ids, a, c, qw, floors, found_by, skipped, totals, consts)\n\n"
"bounds_large's set-aside plans looked up for the names left (no merged unit), with its\n"
"drops between lists, then the names' bounds held to their floors (None, one, per name).");

static PyObject *look_up_all(PyObject *self, PyObject *args)
{
    PyObject *ids_o, *a_o, *c_o, *qw_o, *floors_o, *found_o, *skipped, *totals_o, *consts_o;
    Py_buffer ids = {0}, va = {0}, vc = {0}, vqw = {0}, totals = {0}, vfl = {0};
    Py_buffer *fviews = NULL;
    Held *plans = NULL;
    Py_ssize_t n = 0, i, j, p, n_skipped = 0, n_fviews = 0, n_found;
    int32_t *id = NULL;
    double *work = NULL, *a, *c, *qw, *fl, *q_best, *c_best, *fv, floor = 0.0;
    int floors_kind; /* 0: none, 1: one, 2: per name */
    Consts k;
    PyObject *result = NULL;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOO!O!OO", &ids_o, &a_o, &c_o, &qw_o, &floors_o,
                          &PyDict_Type, &found_o, &PyList_Type, &skipped, &totals_o,
                          &consts_o))
        return NULL;
    if (read_consts(consts_o, &k) < 0)
        return NULL;
    if (name_views(ids_o, a_o, c_o, qw_o, totals_o, &ids, &va, &vc, &vqw, &totals, &n) < 0)
        goto done;
    if (floors_o == Py_None)
        floors_kind = 0;
    else if (PyFloat_Check(floors_o) || PyLong_Check(floors_o)) {
        floors_kind = 1;
        if (float_of(floors_o, &floor) < 0)
            goto done;
    } else {
        floors_kind = 2;
        if (get_view(floors_o, &vfl, 8, "d", "floors") < 0)
            goto done;
        if (vfl.len != n * 8) {
            PyErr_SetString(PyExc_ValueError, "floors: one per name");
            goto done;
        }
    }
    n_found = PyDict_GET_SIZE(found_o);
    /* the working arrays (compacted as names are dropped): id, a, c, qw, floor, best
       values, each found unit's (fq, fc) */
    id = PyMem_Malloc((n ? (size_t)n : 1) * sizeof(int32_t));
    work = PyMem_Malloc((n ? (size_t)n : 1) * (6 + 2 * (size_t)n_found) * sizeof(double));
    if (id == NULL || work == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    memcpy(id, ids.buf, (size_t)n * 4);
    a = work;
    c = a + n;
    qw = c + n;
    fl = qw + n;
    q_best = fl + n;
    c_best = q_best + n;
    fv = c_best + n; /* per found unit u: fq at fv + 2u·n, fc at fv + (2u + 1)·n */
    memcpy(a, va.buf, (size_t)n * 8);
    memcpy(c, vc.buf, (size_t)n * 8);
    memcpy(qw, vqw.buf, (size_t)n * 8);
    if (floors_kind == 2)
        memcpy(fl, vfl.buf, (size_t)n * 8);
    /* the set-aside plans, their lists (views held to the end) and their units' values */
    n_skipped = PyList_GET_SIZE(skipped);
    plans = PyMem_Calloc(n_skipped ? (size_t)n_skipped : 1, sizeof(Held));
    fviews = PyMem_Calloc((size_t)(2 * n_found + 1), sizeof(Py_buffer));
    if (plans == NULL || fviews == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    {
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        while (PyDict_Next(found_o, &pos, &key, &value)) {
            if (!PyTuple_Check(value) || PyTuple_GET_SIZE(value) != 2) {
                PyErr_SetString(PyExc_TypeError, "found_by: (fq, fc) per unit");
                goto done;
            }
            for (j = 0; j < 2; j++) {
                if (get_view(PyTuple_GET_ITEM(value, j), &fviews[n_fviews], 8, "d", "found") <
                    0)
                    goto done;
                if (fviews[n_fviews].len != n * 8) {
                    n_fviews++;
                    PyErr_SetString(PyExc_ValueError, "found_by: one value per name");
                    goto done;
                }
                memcpy(fv + (size_t)n_fviews * (size_t)n, fviews[n_fviews].buf, (size_t)n * 8);
                n_fviews++;
            }
        }
    }
    for (p = 0; p < n_skipped; p++) {
        PyObject *plan = PyList_GET_ITEM(skipped, p), *reach, *found;
        Held *h = &plans[p];
        Py_ssize_t m;
        h->found = -1;
        if (!PyTuple_Check(plan) || PyTuple_GET_SIZE(plan) != 6 ||
            !PyList_Check(PyTuple_GET_ITEM(plan, 5))) {
            PyErr_SetString(PyExc_TypeError, "skipped: Plans");
            goto done;
        }
        if (float_of(PyTuple_GET_ITEM(plan, 2), &h->qweight) < 0 ||
            float_of(PyTuple_GET_ITEM(plan, 3), &h->a_max) < 0 ||
            float_of(PyTuple_GET_ITEM(plan, 4), &h->c_max) < 0)
            goto done;
        found = PyDict_GetItemWithError(found_o, PyTuple_GET_ITEM(plan, 0));
        if (found == NULL && PyErr_Occurred())
            goto done;
        if (found != NULL) { /* (the dict's order: the views were read in it) */
            PyObject *key, *value;
            Py_ssize_t pos = 0, u = 0;
            while (PyDict_Next(found_o, &pos, &key, &value)) {
                if (value == found)
                    h->found = (int)u;
                u++;
            }
        }
        reach = PyTuple_GET_ITEM(plan, 5);
        m = PyList_GET_SIZE(reach);
        h->views = PyMem_Calloc(m ? (size_t)m : 1, sizeof(Py_buffer));
        h->qv = PyMem_Malloc((m ? (size_t)m : 1) * 2 * sizeof(double));
        if (h->views == NULL || h->qv == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        h->cv = h->qv + m;
        for (j = 0; j < m; j++) {
            PyObject *entry = PyList_GET_ITEM(reach, j);
            double qv, cv;
            Py_ssize_t at;
            if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 3) {
                PyErr_SetString(PyExc_TypeError, "skipped: (postings, ub·w_q, ub·w_c)");
                goto done;
            }
            if (float_of(PyTuple_GET_ITEM(entry, 1), &qv) < 0 ||
                float_of(PyTuple_GET_ITEM(entry, 2), &cv) < 0)
                goto done;
            /* sorted by (ub·w_q, ub·w_c), largest first, equal ones in their order (Python's
               sort with reverse=True is stable): inserted after every entry not smaller */
            at = h->n_lists;
            while (at > 0 && (h->qv[at - 1] < qv || (h->qv[at - 1] == qv && h->cv[at - 1] < cv)))
                at--;
            memmove(&h->views[at + 1], &h->views[at], (size_t)(h->n_lists - at) * sizeof(Py_buffer));
            memmove(&h->qv[at + 1], &h->qv[at], (size_t)(h->n_lists - at) * sizeof(double));
            memmove(&h->cv[at + 1], &h->cv[at], (size_t)(h->n_lists - at) * sizeof(double));
            memset(&h->views[at], 0, sizeof(Py_buffer));
            h->n_lists++;
            h->qv[at] = qv;
            h->cv[at] = cv;
            if (get_view(PyTuple_GET_ITEM(entry, 0), &h->views[at], 4, "i", "postings") < 0)
                goto done;
        }
    }

    for (p = 0; p < n_skipped && n; p++) {
        Held *h = &plans[p];
        double *fq = h->found >= 0 ? fv + (size_t)(2 * h->found) * (size_t)n : NULL;
        double *fc = h->found >= 0 ? fv + (size_t)(2 * h->found + 1) * (size_t)n : NULL;
        int rest = h->n_lists > 1;
        memset(q_best, 0, (size_t)n * sizeof(double));
        memset(c_best, 0, (size_t)n * sizeof(double));
        if (h->n_lists)
            held(id, n, h->views[0].buf, h->views[0].len / 4, h->qv[0], h->cv[0], q_best,
                 c_best);
        if ((rest || p + 1 < n_skipped) && floors_kind) {
            double a_rest = 0.0, c_rest = 0.0; /* max((r[1] for r in rest), default=0.0) */
            Py_ssize_t kept = 0;
            for (j = 1; j < h->n_lists; j++) { /* (Python's max: replaced by a larger one) */
                if (j == 1 || h->qv[j] > a_rest)
                    a_rest = h->qv[j];
                if (j == 1 || h->cv[j] > c_rest)
                    c_rest = h->cv[j];
            }
            for (i = 0; i < n; i++) {
                double am, cm, qm, b, mq, mc;
                Py_ssize_t l;
                mq = q_best[i] > a_rest ? q_best[i] : a_rest; /* np.maximum */
                mc = c_best[i] > c_rest ? c_best[i] : c_rest;
                if (fq == NULL) {
                    am = a[i] + mq;
                    cm = c[i] + mc;
                    qm = qw[i] + (rest ? h->qweight : (q_best[i] > 0.0 ? h->qweight : 0.0));
                } else {
                    double dq = mq - fq[i], dc = mc - fc[i];
                    int hold = rest ? fq[i] == 0.0 : (q_best[i] > 0.0 && fq[i] == 0.0);
                    am = a[i] + (0.0 > dq ? 0.0 : dq);
                    cm = c[i] + (0.0 > dc ? 0.0 : dc);
                    qm = qw[i] + (hold ? h->qweight : 0.0);
                }
                for (l = p + 1; l < n_skipped; l++) { /* _add_most */
                    const Held *o = &plans[l];
                    if (o->found < 0) {
                        am += o->a_max;
                        cm += o->c_max;
                        qm += o->qweight;
                    } else {
                        double oq = fv[(size_t)(2 * o->found) * (size_t)n + (size_t)i];
                        double oc = fv[(size_t)(2 * o->found + 1) * (size_t)n + (size_t)i];
                        double dq = o->a_max - oq, dc = o->c_max - oc;
                        am += 0.0 > dq ? 0.0 : dq;
                        cm += 0.0 > dc ? 0.0 : dc;
                        qm += oq == 0.0 ? o->qweight : 0.0;
                    }
                }
                b = name_bound(&k, am, cm, qm, ((const double *)totals.buf)[id[i]]) + k.eps;
                if (!(b >= (floors_kind == 1 ? floor : fl[i])))
                    continue;
                if (kept != i) { /* compacted: every per-name array */
                    Py_ssize_t u;
                    id[kept] = id[i];
                    a[kept] = a[i];
                    c[kept] = c[i];
                    qw[kept] = qw[i];
                    fl[kept] = fl[i];
                    q_best[kept] = q_best[i];
                    c_best[kept] = c_best[i];
                    for (u = 0; u < 2 * n_found; u++)
                        fv[(size_t)u * (size_t)n + (size_t)kept] =
                            fv[(size_t)u * (size_t)n + (size_t)i];
                }
                kept++;
            }
            if (kept < n) {
                /* (the found values' rows move down with the shorter n) */
                Py_ssize_t u;
                for (u = 1; u < 2 * n_found; u++)
                    memmove(fv + (size_t)u * (size_t)kept, fv + (size_t)u * (size_t)n,
                            (size_t)kept * sizeof(double));
                n = kept;
                fq = h->found >= 0 ? fv + (size_t)(2 * h->found) * (size_t)n : NULL;
                fc = h->found >= 0 ? fv + (size_t)(2 * h->found + 1) * (size_t)n : NULL;
                if (!n)
                    break;
            }
        }
        for (j = 1; j < h->n_lists; j++)
            held(id, n, h->views[j].buf, h->views[j].len / 4, h->qv[j], h->cv[j], q_best,
                 c_best);
        for (i = 0; i < n; i++) { /* a unit found on both sides counts once */
            if (fq == NULL) {
                a[i] += q_best[i];
                c[i] += c_best[i];
                qw[i] += q_best[i] > 0.0 ? h->qweight : 0.0;
            } else {
                double dq = q_best[i] - fq[i], dc = c_best[i] - fc[i];
                a[i] += 0.0 > dq ? 0.0 : dq;
                c[i] += 0.0 > dc ? 0.0 : dc;
                qw[i] += (q_best[i] > 0.0 && fq[i] == 0.0) ? h->qweight : 0.0;
            }
        }
    }
    result = PyList_New(0);
    if (result == NULL)
        goto done;
    for (i = 0; i < n; i++) {
        double b = name_bound(&k, a[i], c[i], qw[i], ((const double *)totals.buf)[id[i]]) +
                   k.eps;
        if (floors_kind && !(b >= (floors_kind == 1 ? floor : fl[i])))
            continue;
        if (append_bound(result, id[i], b) < 0) {
            Py_CLEAR(result);
            goto done;
        }
    }
done:
    if (plans != NULL) {
        for (p = 0; p < n_skipped; p++) {
            for (j = 0; j < plans[p].n_lists; j++)
                release_view(&plans[p].views[j]);
            PyMem_Free(plans[p].views);
            PyMem_Free(plans[p].qv);
        }
        PyMem_Free(plans);
    }
    for (i = 0; i < n_fviews; i++)
        release_view(&fviews[i]);
    PyMem_Free(fviews);
    PyMem_Free(id);
    PyMem_Free(work);
    release_view(&ids);
    release_view(&va);
    release_view(&vc);
    release_view(&vqw);
    release_view(&vfl);
    release_view(&totals);
    return result;
}

static PyMethodDef methods[] = {
    {"gather", gather, METH_VARARGS, gather_doc},
    {"look_up", look_up, METH_VARARGS, look_up_doc},
    {"look_up_all", look_up_all, METH_VARARGS, look_up_all_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_bounds",
    "bounds_large's first steps, compiled at install time (see bounds.py).", -1, methods,
};

PyMODINIT_FUNC PyInit__bounds(void)
{
    return PyModule_Create(&module);
}
