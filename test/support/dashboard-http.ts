import { request } from 'http';

/** A browser session as the dashboard sees it: its cookie and the token of its pages. */
export interface DashboardSession {
  cookie: string;
  token: string;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One plain HTTP request (node:http lets a test send any header, Sec-Fetch-Site included). */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        // A live stream never ends: its status and headers are all a test needs.
        if (String(res.headers['content-type']).startsWith('text/event-stream')) {
          res.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
          return;
        }
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Opens the overview as a browser would, keeping the cookie and the page's token. */
export async function openSession(url: string): Promise<DashboardSession> {
  const answer = await httpRequest(url);
  const setCookie = answer.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie[0] : String(setCookie)).split(';')[0];
  const token = /name="taskmill-csrf" content="([0-9a-f]+)"/.exec(answer.body)?.[1];
  if (!token) throw new Error(`no token in the page: ${answer.body.slice(0, 200)}`);
  return { cookie, token };
}

/** POSTs an action with the session's cookie and token, plus `headers`. */
export function postAction(
  url: string,
  action: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<HttpAnswer> {
  return httpRequest(`${url}/api/actions/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}
