import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { AdminApi } from './admin-api';
import type { AuthResponse } from './types';

export const ApiContext = createContext<AdminApi | null>(null);

export function useApi(): AdminApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiContext.Provider>');
  return api;
}

/** The signed-in administrator, as the login answer described them. */
export const AdminContext = createContext<AuthResponse['user'] | null>(null);

export function useSignedInAdmin(): AuthResponse['user'] {
  const admin = useContext(AdminContext);
  if (!admin) throw new Error('useSignedInAdmin outside <AdminContext.Provider>');
  return admin;
}
