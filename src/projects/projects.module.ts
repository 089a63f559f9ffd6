import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProjectEntity } from './project.entity';
import { ProjectLifecycle } from './project-lifecycle';
import { ProjectsController } from './projects.controller';
import { ProjectsRepository } from './projects.repository';
import { ProjectsService } from './projects.service';

/** Projects (tenancy): every module's data belongs to one. Global: the AuthGuard resolves each request's project here. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ProjectEntity])],
  controllers: [ProjectsController],
  providers: [ProjectsRepository, ProjectsService, ProjectLifecycle],
  exports: [ProjectsService, ProjectLifecycle],
})
export class ProjectsModule {}
