/* Compiled look-up of a loaded index's hashed keys (issue 11): what
 * ctnode.match.columns.HashedKeys.row does in Python, the same answers.
 *
 * A key's row in a table written by HashedKeys.pack: CRC-32 (zlib's) of the key's UTF-8
 * bytes (lone surrogates written as they are: "surrogatepass"), masked to the table's size;
 * linear probing over int32 slots (-1: empty) until an empty slot (the key is not held) or
 * a slot whose row's bytes (blob[offsets[row]:offsets[row + 1]]) are the key's.
 *
 * Optional: the package installs and runs without it (columns.py keeps the Python code,
 * the reference the tests compare this with).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

typedef struct {
    PyObject_HEAD
    Py_buffer slots;   /* int32 rows, -1 when empty; a power of two of them */
    Py_buffer blob;    /* the keys' UTF-8 bytes end to end */
    Py_buffer offsets; /* int64 end offsets, one more than the keys */
    int held;          /* the three buffers are held (released on dealloc) */
    uint32_t mask;
    Py_ssize_t rows;   /* keys in the table */
} KeyTable;

static void
KeyTable_dealloc(KeyTable *self)
{
    if (self->held) {
        PyBuffer_Release(&self->slots);
        PyBuffer_Release(&self->blob);
        PyBuffer_Release(&self->offsets);
    }
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
KeyTable_init(KeyTable *self, PyObject *args, PyObject *kwds)
{
    PyObject *slots, *blob, *offsets;
    static char *kwlist[] = {"slots", "blob", "offsets", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO", kwlist, &slots, &blob, &offsets))
        return -1;
    if (self->held) {
        PyErr_SetString(PyExc_TypeError, "a KeyTable is made once");
        return -1;
    }
    if (PyObject_GetBuffer(slots, &self->slots, PyBUF_SIMPLE) < 0)
        return -1;
    if (PyObject_GetBuffer(blob, &self->blob, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(&self->slots);
        return -1;
    }
    if (PyObject_GetBuffer(offsets, &self->offsets, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(&self->slots);
        PyBuffer_Release(&self->blob);
        return -1;
    }
    self->held = 1;
    Py_ssize_t n = self->slots.len / 4;
    if (n <= 0 || (n & (n - 1)) != 0 || self->slots.len % 4 != 0
            || self->offsets.len % 8 != 0 || self->offsets.len < 8) {
        PyErr_SetString(PyExc_ValueError,
                        "slots: a power of two of int32; offsets: int64, at least one");
        return -1;
    }
    self->mask = (uint32_t)(n - 1);
    self->rows = self->offsets.len / 8 - 1;
    return 0;
}

/* The row of ``key`` (a str), -1 when the table does not hold it, -2 on an error (set). */
static long
probe(KeyTable *self, PyObject *key)
{
    if (!self->held) {
        PyErr_SetString(PyExc_ValueError, "a KeyTable without its buffers");
        return -2;
    }
    if (!PyUnicode_Check(key)) {
        PyErr_SetString(PyExc_TypeError, "a key is a str");
        return -2;
    }
    PyObject *encoded = NULL;
    Py_ssize_t size;
    const char *data = PyUnicode_AsUTF8AndSize(key, &size);
    if (data == NULL) {  /* a lone surrogate: written as "surrogatepass" writes it */
        PyErr_Clear();
        encoded = PyUnicode_AsEncodedString(key, "utf-8", "surrogatepass");
        if (encoded == NULL)
            return -2;
        data = PyBytes_AS_STRING(encoded);
        size = PyBytes_GET_SIZE(encoded);
    }
    const int32_t *slots = (const int32_t *)self->slots.buf;
    const char *blob = (const char *)self->blob.buf;
    const int64_t *offsets = (const int64_t *)self->offsets.buf;
    uint32_t mask = self->mask;
    uint32_t slot = (uint32_t)crc32(0L, (const Bytef *)data, (uInt)size) & mask;
    long found = -1;
    for (uint32_t probes = 0; probes <= mask; probes++) {
        int32_t row = slots[slot];
        if (row < 0)
            break;
        if (row < self->rows) {
            int64_t start = offsets[row], end = offsets[row + 1];
            if (end - start == size && start >= 0 && end <= self->blob.len
                    && memcmp(blob + start, data, (size_t)size) == 0) {
                found = row;
                break;
            }
        }
        slot = (slot + 1) & mask;
    }
    Py_XDECREF(encoded);
    return found;
}

/* The row of ``key`` (a str), or -1. */
static PyObject *
KeyTable_row(KeyTable *self, PyObject *key)
{
    long row = probe(self, key);
    return row == -2 ? NULL : PyLong_FromLong(row);
}

static PyMethodDef KeyTable_methods[] = {
    {"row", (PyCFunction)KeyTable_row, METH_O, "The row of a key, or -1."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject KeyTableType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ctnode.match._reach.KeyTable",
    .tp_doc = PyDoc_STR("A hashed key table's slots, keys and offsets (HashedKeys.pack)."),
    .tp_basicsize = sizeof(KeyTable),
    .tp_itemsize = 0,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)KeyTable_init,
    .tp_dealloc = (destructor)KeyTable_dealloc,
    .tp_methods = KeyTable_methods,
};

/* ctnode.match.columns.KeyedColumn.get for a table of keys, the same answers: a value
 * remembered in ``seen`` (None: not held), else one set since in ``more``, else the row's
 * (``value_of(row)``) or None; remembered in ``seen``, which is emptied first when it holds
 * ``limit`` answers. ``seen`` and ``more`` are the column's own dicts (shared, not copied). */
typedef struct {
    PyObject_HEAD
    KeyTable *table;
    PyObject *value_of;
    PyObject *seen;
    PyObject *more;
    Py_ssize_t limit;
} Lookup;


static void
Lookup_dealloc(Lookup *self)
{
    Py_XDECREF(self->table);
    Py_XDECREF(self->value_of);
    Py_XDECREF(self->seen);
    Py_XDECREF(self->more);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
Lookup_init(Lookup *self, PyObject *args, PyObject *kwds)
{
    PyObject *table, *value_of, *seen, *more;
    Py_ssize_t limit;
    static char *kwlist[] = {"table", "value_of", "seen", "more", "limit", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!OO!O!n", kwlist, &KeyTableType, &table,
                                     &value_of, &PyDict_Type, &seen, &PyDict_Type, &more,
                                     &limit))
        return -1;
    if (self->table != NULL) {
        PyErr_SetString(PyExc_TypeError, "a Lookup is made once");
        return -1;
    }
    if (!PyCallable_Check(value_of) || limit < 1) {
        PyErr_SetString(PyExc_ValueError, "value_of: a callable; limit: at least 1");
        return -1;
    }
    Py_INCREF(table);
    Py_INCREF(value_of);
    Py_INCREF(seen);
    Py_INCREF(more);
    self->table = (KeyTable *)table;
    self->value_of = value_of;
    self->seen = seen;
    self->more = more;
    self->limit = limit;
    return 0;
}

static PyObject *
Lookup_get(Lookup *self, PyObject *key)
{
    if (self->table == NULL) {
        PyErr_SetString(PyExc_ValueError, "a Lookup without its table");
        return NULL;
    }
    PyObject *found = PyDict_GetItemWithError(self->seen, key);  /* (borrowed) */
    if (found != NULL) {
        Py_INCREF(found);
        return found;
    }
    if (PyErr_Occurred())
        return NULL;
    PyObject *value = NULL;
    if (PyDict_GET_SIZE(self->more)) {
        value = PyDict_GetItemWithError(self->more, key);
        if (value == NULL && PyErr_Occurred())
            return NULL;
        if (value == Py_None)
            value = NULL;
        Py_XINCREF(value);
    }
    if (value == NULL) {
        long row = probe(self->table, key);
        if (row == -2)
            return NULL;
        if (row < 0) {
            value = Py_None;
            Py_INCREF(value);
        } else {
            PyObject *at = PyLong_FromLong(row);
            if (at == NULL)
                return NULL;
            value = PyObject_CallOneArg(self->value_of, at);
            Py_DECREF(at);
            if (value == NULL)
                return NULL;
        }
    }
    if (PyDict_GET_SIZE(self->seen) >= self->limit)
        PyDict_Clear(self->seen);
    if (PyDict_SetItem(self->seen, key, value) < 0) {
        Py_DECREF(value);
        return NULL;
    }
    return value;
}

static PyMethodDef Lookup_methods[] = {
    {"get", (PyCFunction)Lookup_get, METH_O, "A key's value, or None."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject LookupType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ctnode.match._reach.Lookup",
    .tp_doc = PyDoc_STR("A keyed column's get over a KeyTable (KeyedColumn.get)."),
    .tp_basicsize = sizeof(Lookup),
    .tp_itemsize = 0,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Lookup_init,
    .tp_dealloc = (destructor)Lookup_dealloc,
    .tp_methods = Lookup_methods,
};

static struct PyModuleDef reach_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "ctnode.match._reach",
    .m_doc = PyDoc_STR("Compiled look-ups of a loaded index's hashed keys."),
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__reach(void)
{
    if (PyType_Ready(&KeyTableType) < 0 || PyType_Ready(&LookupType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&reach_module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&KeyTableType);
    if (PyModule_AddObject(m, "KeyTable", (PyObject *)&KeyTableType) < 0) {
        Py_DECREF(&KeyTableType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&LookupType);
    if (PyModule_AddObject(m, "Lookup", (PyObject *)&LookupType) < 0) {
        Py_DECREF(&LookupType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
