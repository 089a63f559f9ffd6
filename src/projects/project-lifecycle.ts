import { Injectable, Logger } from '@nestjs/common';

/** What a module does when a project is gone (its rows are already deleted by the cascade): unload models, remove files. */
export type ProjectDeletedHook = (projectId: string) => Promise<void> | void;

/**
 * Modules register here what must happen outside the database when a project is deleted.
 * ProjectsService runs every hook after the deleting transaction commits; a failing hook is
 * logged and does not undo the deletion.
 */
@Injectable()
export class ProjectLifecycle {
  private readonly logger = new Logger('Projects');
  private readonly hooks: { name: string; fn: ProjectDeletedHook }[] = [];

  onDeleted(name: string, fn: ProjectDeletedHook): void {
    this.hooks.push({ name, fn });
  }

  async deleted(projectId: string): Promise<void> {
    for (const h of this.hooks) {
      try {
        await h.fn(projectId);
      } catch (err) {
        this.logger.error(`After deleting project ${projectId}, ${h.name} failed: ${(err as Error).message}`);
      }
    }
  }
}
