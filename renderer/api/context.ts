import { createContext, useContext } from 'react';
import type { KioskApi } from '../../shared/api.ts';

export const ApiContext = createContext<KioskApi | null>(null);

export const useApi = (): KioskApi => {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiContext.Provider>');
  return api;
};
