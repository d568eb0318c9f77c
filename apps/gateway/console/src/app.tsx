import { useSyncExternalStore } from 'react';
import { Shell } from './components/shell';
import { AdminPage } from './pages/admin';
import { ApprovalsPage } from './pages/approvals';
import { AssessmentsPage } from './pages/assessments';
import { AuditPage } from './pages/audit';
import { OverviewPage } from './pages/overview';
import { ProgramFormPage } from './pages/program-form';
import { ProgramPage } from './pages/program-page';
import { ProgramsBoardPage } from './pages/programs-board';
import { ReviewPage, ReviewQueuePage } from './pages/reviews';
import { SignInPage } from './pages/sign-in';
import { link, matchRoute, useRoutePath } from './lib/router';
import { getSession, subscribeSession, type Session } from './lib/session';

function NotFound({ path }: { path: string }) {
  return (
    <div className="page" data-testid="page-not-found">
      <h1>Page not found</h1>
      <p>
        Nothing lives at <code>{path}</code>. <a href={link('/')}>Go to the overview</a>.
      </p>
    </div>
  );
}

/** Hash routes: `#/`, `#/programs`, `#/programs/new`, `#/programs/:id`, `#/programs/:id/edit`, `#/reviews`, `#/reviews/:id`, `#/approvals`, `#/assessments`, `#/audit`, `#/admin`, `#/signin`. */
function route(path: string, session: Session) {
  if (path === '/') return <OverviewPage />;
  if (path === '/programs') return <ProgramsBoardPage session={session} />;
  if (path === '/programs/new') return <ProgramFormPage session={session} />;
  let params = matchRoute('/programs/:id/edit', path);
  if (params) return <ProgramFormPage key={params.id} session={session} programId={params.id} />;
  params = matchRoute('/programs/:id', path);
  if (params) return <ProgramPage key={params.id} session={session} programId={params.id} />;
  if (path === '/reviews') return <ReviewQueuePage session={session} />;
  params = matchRoute('/reviews/:id', path);
  if (params) return <ReviewPage key={params.id} session={session} reviewId={params.id} />;
  if (path === '/approvals') return <ApprovalsPage session={session} />;
  if (path === '/assessments') return <AssessmentsPage session={session} />;
  if (path === '/audit') return <AuditPage session={session} />;
  if (path === '/admin') return <AdminPage session={session} />;
  return <NotFound path={path} />;
}

export function App() {
  const session = useSyncExternalStore(subscribeSession, getSession);
  const path = useRoutePath();
  // `#/signin` lets a signed-in person switch to someone else.
  if (!session || path === '/signin') return <SignInPage />;
  return (
    <Shell session={session} path={path}>
      {route(path, session)}
    </Shell>
  );
}
