// A small HTTP/1.1 client for the soak: one kept-alive connection per client (node:http), JSON in
// and out, and transport failures told apart from HTTP answers. A request that got no answer
// throws TransportError; `sent` says whether the request may have reached the server (a refused
// connection never did; a reset after the request was written may have been applied).
import http from 'node:http';

export class TransportError extends Error {
  constructor(code, message, sent) {
    super(`${code}: ${message}`);
    this.code = code;
    this.sent = sent;
  }
}

// Counts requests in flight across every client, so the soak can wait for a quiet moment.
export const inflight = { count: 0 };

export class Client {
  // `localAddress`: the source address of the connections (the server limits some writes per
  // client address; 127.0.0.0/8 is all loopback on Linux).
  constructor(port, { localAddress, timeoutMs = 30000 } = {}) {
    this.port = port;
    this.localAddress = localAddress;
    this.timeoutMs = timeoutMs;
    this.agent = newAgent();
  }

  // Drops the kept-alive connections (the server sees them close); later requests reconnect.
  reset() {
    this.agent.destroy();
    this.agent = newAgent();
  }

  // {status, headers, text, json} for any HTTP answer; throws TransportError without one.
  request(method, path, { body, token, headers = {}, timeoutMs } = {}) {
    const h = { ...headers };
    let payload;
    if (body !== undefined) {
      payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      if (!h['Content-Type']) h['Content-Type'] = 'application/json';
      h['Content-Length'] = payload.length;
    }
    if (token) h.Authorization = `Bearer ${token}`;
    const limit = timeoutMs ?? this.timeoutMs;
    inflight.count += 1;
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (fn, v) => {
        if (settled) return;
        settled = true;
        inflight.count -= 1;
        fn(v);
      };
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path,
          headers: h,
          agent: this.agent,
          localAddress: this.localAddress,
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('error', (e) => done(reject, new TransportError(e.code || 'ERESPONSE', e.message, true)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json = null;
            if (/json/.test(res.headers['content-type'] || '')) {
              try {
                json = JSON.parse(text);
              } catch {
                json = null;
              }
            }
            done(resolve, { status: res.statusCode, headers: res.headers, text, json });
          });
        },
      );
      req.setTimeout(limit, () => {
        req.destroy(Object.assign(new Error(`no answer within ${limit} ms`), { code: 'ETIMEDOUT' }));
      });
      req.on('error', (e) => {
        const code = e.code || 'EUNKNOWN';
        // A refused connection never carried the request; anything else may have.
        done(reject, new TransportError(code, e.message, code !== 'ECONNREFUSED'));
      });
      if (payload) req.write(payload);
      req.end();
    });
  }
}

function newAgent() {
  return new http.Agent({ keepAlive: true, maxSockets: 1 });
}

// One request on a fresh connection (health checks while the server starts).
export function probe(port, path, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
      res.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}
