import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/api-error';
import type { AdminApi, SignInResult } from '../api/admin-api';
import type { AuthResponse, MfaChallenge } from '../api/types';
import { ErrorMessage } from '../components/error-message';

interface SignInProps {
  api: AdminApi;
  /** Why the previous session ended, if it did. */
  notice: string | null;
  onSignedIn: (auth: AuthResponse) => void;
}

/**
 * Password first; when the API asks for a second factor (`mfa_required`), a TOTP or recovery code
 * for the challenge it issued. A dead challenge (expired, used, too many wrong codes) sends the
 * administrator back to the password step with the API's explanation.
 */
export function SignIn({ api, notice, onSignedIn }: SignInProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [challenge, setChallenge] = useState<MfaChallenge | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const codeInput = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    if (challenge) codeInput.current?.focus();
  }, [challenge]);

  const finish = (result: SignInResult) => {
    if (result.kind === 'mfa') {
      setChallenge(result.challenge);
      setCode('');
      return;
    }
    setPassword('');
    onSignedIn(result.auth);
  };

  const submit = async (attempt: () => Promise<SignInResult>) => {
    setBusy(true);
    setError(null);
    try {
      finish(await attempt());
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'INVALID_MFA_TOKEN') {
        setChallenge(null);
        setPassword('');
      }
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in" id="main">
      <h1 ref={heading} tabIndex={-1}>
        Pandora admin console
      </h1>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorMessage error={error} />
      {challenge === null ? (
        <form
          key="password"
          aria-label="Sign in"
          onSubmit={(event) => {
            event.preventDefault();
            void submit(() => api.signIn(email.trim(), password));
          }}
        >
          <label for="sign-in-email">Email</label>
          <input
            id="sign-in-email"
            type="email"
            autocomplete="username"
            required
            value={email}
            onInput={(event) => setEmail(event.currentTarget.value)}
          />
          <label for="sign-in-password">Password</label>
          <input
            id="sign-in-password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      ) : (
        <form
          key="second-factor"
          aria-label="Second factor"
          onSubmit={(event) => {
            event.preventDefault();
            void submit(() => api.verifyMfa(challenge.mfa_token, code.trim()));
          }}
        >
          <p>
            Enter the 6-digit code from your authenticator app
            {challenge.methods.includes('recovery_code') ? ', or one of your recovery codes' : ''}. The code request expires in{' '}
            {Math.round(challenge.mfa_expires_in / 60)} minutes.
          </p>
          <label for="sign-in-code">Authentication code</label>
          <input
            id="sign-in-code"
            ref={codeInput}
            type="text"
            inputMode="numeric"
            autocomplete="one-time-code"
            spellcheck={false}
            required
            maxLength={64}
            value={code}
            onInput={(event) => setCode(event.currentTarget.value)}
          />
          <div class="actions">
            <button
              type="button"
              onClick={() => {
                setChallenge(null);
                setPassword('');
                setError(null);
              }}
            >
              Start over
            </button>
            <button type="submit" class="primary" disabled={busy}>
              {busy ? 'Checking…' : 'Verify'}
            </button>
          </div>
        </form>
      )}
      <p class="hint">
        Administrator accounts are created with <code>npm run admin:create</code>.
      </p>
    </main>
  );
}
