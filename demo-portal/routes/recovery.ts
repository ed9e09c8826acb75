/**
 * Password reset by e-mailed link. The request form answers the same whether or not the
 * account exists (no account enumeration); the link is single use and time limited.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { demoAddress } from '../outbox.ts';
import { renderForgotPassword, renderMessagePage, renderResetPassword } from '../pages/forms.ts';
import type { PortalState } from '../state.ts';
import type { ResetLinkState } from '../tokens.ts';
import { field, seeOther, sendHtml } from '../web.ts';

export const RESET_SENT = 'If the account exists, a reset link has been sent.';
export const LINK_EXPIRED = 'This link has expired.';
export const LINK_USED = 'This link has already been used.';
export const LINK_UNKNOWN = 'This link is not valid.';
const MIN_PASSWORD_LENGTH = 8;

interface TokenParams {
  token: string;
}

export function registerRecoveryRoutes(app: FastifyInstance, state: PortalState): void {
  app.get('/forgot-password', async (_request, reply) => sendHtml(reply, 200, renderForgotPassword()));

  app.post('/forgot-password', async (request, reply) => {
    const account = state.accounts.findByIdentifier(field(request, 'username'));
    if (account?.status === 'active') {
      const token = state.resetLinks.issue(account.id);
      state.outbox.send({
        to: demoAddress(account.username),
        subject: 'Reset your Lakeside Health Portal password',
        link: `${request.protocol}://${request.host}/reset-password/${token}`,
      });
      state.events.record('password-reset-requested', { account: account.id });
    }
    return sendHtml(reply, 200, renderForgotPassword(RESET_SENT));
  });

  /** 410 for links that existed but can no longer be used; 404 for links that never existed. */
  const deadLink = (reply: FastifyReply, link: Exclude<ResetLinkState, { state: 'valid' }>): FastifyReply => {
    state.events.record('reset-link-rejected', { detail: link.state });
    const back = { href: '/forgot-password', text: 'Request a new link' };
    if (link.state === 'expired') return sendHtml(reply, 410, renderMessagePage('Link expired', LINK_EXPIRED, back));
    if (link.state === 'used') return sendHtml(reply, 410, renderMessagePage('Link already used', LINK_USED, back));
    return sendHtml(reply, 404, renderMessagePage('Link not valid', LINK_UNKNOWN, back));
  };

  app.get<{ Params: TokenParams }>('/reset-password/:token', async (request, reply) => {
    const link = state.resetLinks.check(request.params.token);
    if (link.state !== 'valid') return deadLink(reply, link);
    return sendHtml(reply, 200, renderResetPassword(request.params.token));
  });

  app.post<{ Params: TokenParams }>('/reset-password/:token', async (request, reply) => {
    const { token } = request.params;
    const link = state.resetLinks.check(token);
    if (link.state !== 'valid') return deadLink(reply, link);
    const password = field(request, 'password');
    if (password.length < MIN_PASSWORD_LENGTH) {
      return sendHtml(reply, 400, renderResetPassword(token, `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.`));
    }
    // Consume before the slow hash so a double submit cannot use the link twice.
    state.resetLinks.consume(token);
    await state.accounts.setPassword(link.accountId, password);
    state.lockout.clear(link.accountId);
    state.events.record('password-reset', { account: link.accountId });
    return seeOther(reply, '/login');
  });
}
