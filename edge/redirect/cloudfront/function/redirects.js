// opsbot redirects: a CloudFront Function (JavaScript runtime 2.0) for the
// viewer-request event. It answers a request whose path is in the redirect
// map with the rule's status and Location; any other request goes on to
// the origin untouched. The map lives in a CloudFront KeyValueStore that
// opsbot edits (`redirect`, `unredirect` in chat): key = source path
// ("/old", or "/campaign*" for a prefix rule covering /campaign and
// everything below it by whole segments), value = "STATUS TARGET".
// Lookup order (the same as redirect.Candidates in Go): the path itself,
// then the prefix keys of the path and of each ancestor, deepest first,
// at most DEPTH segments deep. A value opsbot cannot read is skipped.
// Deployment: README.md in this folder. Set KVS_ID to your store's ID.
import cf from 'cloudfront';

const KVS_ID = 'REPLACE-WITH-YOUR-KVS-ID';
const DEPTH = 8;
const REASONS = { 301: 'Moved Permanently', 302: 'Found', 307: 'Temporary Redirect', 308: 'Permanent Redirect' };

function candidates(path) {
    const out = [path];
    let base = path.replace(/\/+$/, '');
    while (base !== '') {
        if (base.split('/').length - 1 <= DEPTH) {
            out.push(base + '*');
        }
        base = base.substring(0, base.lastIndexOf('/'));
    }
    return out;
}

function parseValue(v) {
    const m = /^(301|302|307|308) (\S+)$/.exec(v || '');
    return m ? { status: parseInt(m[1], 10), location: m[2] } : null;
}

// lookup finds the rule for path; get(key) resolves to the value or
// rejects when the store holds no such key (as kvs.get does).
async function lookup(get, path) {
    const keys = candidates(path);
    for (let i = 0; i < keys.length; i++) {
        let v;
        try {
            v = await get(keys[i]);
        } catch (e) {
            continue;
        }
        const r = parseValue(v);
        if (r) {
            return r;
        }
    }
    return null;
}

async function handler(event) {
    const request = event.request;
    let r = null;
    try {
        const store = cf.kvs(KVS_ID);
        r = await lookup(function (k) { return store.get(k); }, request.uri);
    } catch (e) {
        return request; // never break the site over the map
    }
    if (!r) {
        return request;
    }
    return {
        statusCode: r.status,
        statusDescription: REASONS[r.status],
        headers: { location: { value: r.location }, 'cache-control': { value: 'max-age=300' } }
    };
}
