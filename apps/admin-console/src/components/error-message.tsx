import { ApiError } from '../api/api-error';

/** The API's own words for a failure, its field details, and the request id to quote to whoever runs it. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const apiError = error instanceof ApiError ? error : null;
  return (
    <div class="error" role="alert">
      <p>{apiError ? apiError.message : 'Something went wrong in the console. Reload the page and try again.'}</p>
      {apiError && apiError.details.length > 0 && (
        <ul>
          {apiError.details.map((detail) => (
            <li key={`${detail.field}:${detail.message}`}>
              <code>{detail.field}</code> {detail.message}
            </li>
          ))}
        </ul>
      )}
      {apiError && (
        <p class="meta">
          {apiError.code}
          {apiError.requestId ? ` · request ${apiError.requestId}` : ''}
        </p>
      )}
    </div>
  );
}
