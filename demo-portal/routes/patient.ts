/**
 * Patient account activation with identity matching — the source of the help desks'
 * "user not found for a valid account" tickets when registration data and what the patient
 * types disagree.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { renderActivate, renderMessagePage } from '../pages/forms.ts';
import type { StoredAccount } from '../accounts.ts';
import type { PortalState } from '../state.ts';
import { field, seeOther, sendHtml } from '../web.ts';

export const USER_NOT_FOUND = 'User not found. Check your details or call the help desk.';
export const ACTIVATION_EXPIRED = 'This activation link has expired. Call the help desk for a new one.';
export const ACTIVATION_USED = 'This activation link has already been used.';
const MIN_PASSWORD_LENGTH = 8;

interface TokenParams {
  token: string;
}

function sameName(typed: string, registered: string | undefined): boolean {
  return registered !== undefined && typed.trim().toLowerCase() === registered.trim().toLowerCase();
}

export function registerPatientRoutes(app: FastifyInstance, state: PortalState): void {
  /** The account behind a usable activation link, or the 410 answer already sent. */
  const usableLink = (token: string, reply: FastifyReply): StoredAccount | undefined => {
    const account = state.accounts.findByActivationToken(token);
    if (!account || Date.now() >= state.activationExpiresAt) {
      state.events.record('activation-failed', { detail: account ? 'expired' : 'unknown-link', ...(account ? { account: account.id } : {}) });
      void sendHtml(reply, 410, renderMessagePage('Activation link expired', ACTIVATION_EXPIRED));
      return undefined;
    }
    if (account.status === 'active') {
      state.events.record('activation-failed', { account: account.id, detail: 'used' });
      void sendHtml(reply, 410, renderMessagePage('Activation link already used', ACTIVATION_USED, { href: '/patient/login', text: 'Sign in' }));
      return undefined;
    }
    return account;
  };

  app.get<{ Params: TokenParams }>('/patient/activate/:token', async (request, reply) => {
    if (!usableLink(request.params.token, reply)) return reply;
    return sendHtml(reply, 200, renderActivate(request.params.token));
  });

  app.post<{ Params: TokenParams }>('/patient/activate/:token', async (request, reply) => {
    const { token } = request.params;
    const account = usableLink(token, reply);
    if (!account) return reply;
    const values = { firstName: field(request, 'firstName'), lastName: field(request, 'lastName'), dob: field(request, 'dob').trim() };
    const matches = sameName(values.firstName, account.firstName) && sameName(values.lastName, account.lastName) && values.dob === account.dateOfBirth;
    if (!matches) {
      state.events.record('activation-failed', { account: account.id, detail: 'identity-mismatch' });
      return sendHtml(reply, 404, renderActivate(token, values, USER_NOT_FOUND));
    }
    const password = field(request, 'password');
    if (password.length < MIN_PASSWORD_LENGTH) {
      return sendHtml(reply, 400, renderActivate(token, values, `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.`));
    }
    await state.accounts.activate(account.id, password);
    state.events.record('account-activated', { account: account.id });
    return seeOther(reply, '/patient/login?activated=1');
  });
}
