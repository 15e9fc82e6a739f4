// node --test redirects.test.js: the function's lookup against
// ../../testdata/lookup.json (the table the Go lookup is tested with), and
// its handler against a fake KeyValueStore. The function is loaded as
// CloudFront runs it, a script importing 'cloudfront'; here that import
// is replaced by a fake cf.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const table = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'testdata', 'lookup.json'), 'utf8'));

function load(store) {
    let src = fs.readFileSync(path.join(__dirname, 'redirects.js'), 'utf8');
    assert.match(src, /^import cf from 'cloudfront';$/m);
    src = src.replace(/^import cf from 'cloudfront';$/m, '');
    const ctx = {
        cf: { kvs: () => ({ get: async (k) => { if (!(k in store)) { throw new Error('key not found'); } return store[k]; } }) },
    };
    vm.createContext(ctx);
    vm.runInContext(src + '\nthis.lookup = lookup; this.handler = handler; this.candidates = candidates; this.DEPTH = DEPTH;', ctx);
    return ctx;
}

test('depth matches the Go table', () => {
    assert.strictEqual(load({}).DEPTH, table.depth);
});

test('lookup table', async () => {
    const fn = load(table.rules);
    for (const c of table.cases) {
        const r = await fn.lookup((k) => fn.cf.kvs().get(k), c.path);
        if (c.status === 0) {
            assert.strictEqual(r, null, c.path);
        } else {
            assert.deepStrictEqual({ ...r }, { status: c.status, location: c.location }, c.path);
        }
    }
});

test('candidates', () => {
    const fn = load({});
    assert.deepStrictEqual([...fn.candidates('/a/b/c')], ['/a/b/c', '/a/b/c*', '/a/b*', '/a*']);
    assert.deepStrictEqual([...fn.candidates('/')], ['/']);
});

test('handler redirects or passes the request on', async () => {
    const fn = load(table.rules);
    const hit = await fn.handler({ request: { uri: '/campaign/x', method: 'GET', headers: {} } });
    assert.strictEqual(hit.statusCode, 302);
    assert.strictEqual(hit.statusDescription, 'Found');
    assert.strictEqual(hit.headers.location.value, 'https://www.example.org/promo');
    const req = { uri: '/campaigns', method: 'GET', headers: {} };
    assert.strictEqual(await fn.handler({ request: req }), req);
});

test('a broken store never breaks the site', async () => {
    const fn = load({});
    fn.cf.kvs = () => { throw new Error('no such store'); };
    const req = { uri: '/old', method: 'GET', headers: {} };
    assert.strictEqual(await fn.handler({ request: req }), req);
});
